"""API v1 for the catalogue and its producers (public fields only)."""

import django_filters
from rest_framework import generics
from rest_framework.response import Response

from shop import selectors
from shop.api import serializers
from shop.models import Cooperative, ProductPage, Village


class ProductFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__slug", help_text="Category slug.")
    cooperative = django_filters.CharFilter(field_name="cooperative__slug", help_text="Cooperative slug.")
    village = django_filters.CharFilter(field_name="origin_villages__slug", help_text="Origin village slug.")
    brand = django_filters.CharFilter(field_name="brand__slug", help_text="Brand slug.")
    gi = django_filters.BooleanFilter(field_name="brand__is_geographic_indication", help_text="Only geographic-indication products.")
    shipping_profile = django_filters.ChoiceFilter(choices=ProductPage._meta.get_field("shipping_profile").choices)
    in_stock = django_filters.BooleanFilter(field_name="in_stock")
    price_min_fen = django_filters.NumberFilter(field_name="price_min_fen", lookup_expr="gte", help_text="Lowest price at least this many fen.")
    price_max_fen = django_filters.NumberFilter(field_name="price_min_fen", lookup_expr="lte", help_text="Lowest price at most this many fen.")
    sort = django_filters.OrderingFilter(
        fields=(("first_published_at", "newest"), ("price_min_fen", "price")),
        help_text="newest, -newest, price or -price.",
    )

    class Meta:
        model = ProductPage
        fields: list[str] = []


class ProductListView(generics.ListAPIView):
    """Live products with their lowest and highest variant prices (integer fen)."""

    serializer_class = serializers.ProductListSerializer
    filterset_class = ProductFilter
    queryset = ProductPage.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.product_listing_queryset().order_by("-first_published_at", "-pk").distinct()


class ProductDetailView(generics.RetrieveAPIView):
    """One live product with its variants, their prices and how many can be bought now."""

    serializer_class = serializers.ProductDetailSerializer
    queryset = ProductPage.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.product_listing_queryset()

    def retrieve(self, request, *args, **kwargs):
        product = self.get_object()
        context = self.get_serializer_context() | {"detail": selectors.product_detail(product=product)}
        return Response(self.get_serializer_class()(product, context=context).data)


class CategoryListView(generics.ListAPIView):
    serializer_class = serializers.CategorySerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.categories_with_counts()


class CooperativeListView(generics.ListAPIView):
    serializer_class = serializers.CooperativeSerializer

    def get_queryset(self):
        return Cooperative.objects.select_related("alliance").prefetch_related("shareholdings__village").order_by("name")


class CooperativeDetailView(generics.RetrieveAPIView):
    serializer_class = serializers.CooperativeSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Cooperative.objects.select_related("alliance").prefetch_related("shareholdings__village")


class VillageFilter(django_filters.FilterSet):
    township = django_filters.CharFilter()
    alliance = django_filters.CharFilter(field_name="alliance__slug", help_text="Alliance slug.")

    class Meta:
        model = Village
        fields: list[str] = []


class VillageListView(generics.ListAPIView):
    serializer_class = serializers.VillageSerializer
    filterset_class = VillageFilter

    def get_queryset(self):
        return Village.objects.select_related("alliance").order_by("township", "name")


class VillageDetailView(generics.RetrieveAPIView):
    serializer_class = serializers.VillageSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Village.objects.select_related("alliance")
