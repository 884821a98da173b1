"""API v1 of the catalogue search: thin views over search.selectors."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from search import selectors
from search.api import serializers
from search.facets import FACET_NAMES


def _query_dict(request: Request) -> dict:
    """Query parameters with facet filters as lists (they may repeat)."""
    data = {key: request.query_params.get(key) for key in request.query_params if key not in FACET_NAMES}
    data.update({name: request.query_params.getlist(name) for name in FACET_NAMES if name in request.query_params})
    return data


class SearchView(APIView):
    @extend_schema(
        operation_id="search_products",
        summary="Search the catalogue",
        description="Chinese words or substrings, pinyin with or without spaces, initials, small pinyin typos "
        "and staff synonyms. Facet filters repeat for OR within a facet and combine with AND across facets.",
        parameters=[serializers.SearchQuerySerializer],
        responses={200: serializers.SearchResponseSerializer},
    )
    def get(self, request: Request) -> Response:
        params = serializers.SearchQuerySerializer(data=_query_dict(request))
        params.is_valid(raise_exception=True)
        data = params.validated_data
        results = selectors.product_search(
            query=data["q"], filters=params.filters(), sort=data["sort"], page=data["page"], page_size=data["page_size"]
        )
        return Response(serializers.SearchResponseSerializer(results).data)


class SuggestView(APIView):
    @extend_schema(
        operation_id="search_suggest",
        summary="Complete a partly typed search",
        parameters=[OpenApiParameter("q", str, description="What the shopper has typed so far.")],
        responses={200: serializers.SuggestResponseSerializer},
    )
    def get(self, request: Request) -> Response:
        params = serializers.SuggestQuerySerializer(data={"q": request.query_params.get("q", "")})
        params.is_valid(raise_exception=True)
        suggestions = selectors.product_suggest(query=params.validated_data["q"])
        return Response(serializers.SuggestResponseSerializer({"suggestions": suggestions}).data)
