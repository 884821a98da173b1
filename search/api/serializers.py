from rest_framework import serializers

from search.facets import FACET_NAMES
from search.query import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, SORTS


def _values(help_text: str) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=100), required=False, help_text=help_text)


class SearchQuerySerializer(serializers.Serializer):
    """Query parameters of GET /api/v1/search/. Facet filters repeat for OR: ?category=tea&category=fruit."""

    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    sort = serializers.ChoiceField(choices=SORTS, required=False, default="relevance")
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=1000)
    page_size = serializers.IntegerField(
        required=False, default=DEFAULT_PAGE_SIZE, min_value=1, max_value=MAX_PAGE_SIZE
    )
    category = _values("Category slug.")
    township = _values("Township name, e.g. 长街镇.")
    village = _values("Origin village slug.")
    cooperative = _values("Cooperative slug.")
    price_band = _values("under-50, 50-100, 100-200 or 200-up (yuan, by lowest price).")
    in_stock = serializers.ListField(child=serializers.ChoiceField(choices=["true", "false"]), required=False)
    live_now = serializers.ListField(child=serializers.ChoiceField(choices=["true", "false"]), required=False)

    def filters(self) -> dict[str, list[str]]:
        return {name: self.validated_data[name] for name in FACET_NAMES if self.validated_data.get(name)}


class SuggestQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, allow_blank=True, help_text="What the shopper has typed so far.")


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    subtitle = serializers.CharField()
    url = serializers.CharField()
    price_min_fen = serializers.IntegerField(allow_null=True)
    price_max_fen = serializers.IntegerField(allow_null=True)
    in_stock = serializers.BooleanField()
    live_now = serializers.BooleanField()
    sales_count = serializers.IntegerField()
    highlight = serializers.CharField(help_text="The title as HTML, matched parts in <mark>; everything else escaped.")


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = SearchHitSerializer(many=True, source="hits")
    facets = serializers.DictField(
        child=FacetValueSerializer(many=True),
        help_text="By facet name: " + ", ".join(FACET_NAMES) + ".",
    )


class SuggestionSerializer(serializers.Serializer):
    text = serializers.CharField()
    url = serializers.CharField()


class SuggestResponseSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)
