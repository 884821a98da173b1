"""The search page: parse the query string, one selector call, render."""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from search import selectors
from search.facets import FACET_NAMES


def _int(value: str | None, default: int) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default


def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    filters = {name: request.GET.getlist(name) for name in FACET_NAMES if request.GET.getlist(name)}
    sort = request.GET.get("sort", "relevance")
    results = selectors.product_search(query=query, filters=filters, sort=sort, page=_int(request.GET.get("page"), 1))
    return TemplateResponse(
        request,
        "search/search_page.html",
        selectors.search_page_context(query=query, filters=filters, sort=sort, results=results, params=request.GET),
    )
