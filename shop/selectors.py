"""Reads of the catalogue and its producers, shaped for pages and the API.

Listings and the product page fetch their related rows in a fixed number of queries,
whatever the number of products, variants or images (tests guard the counts).
"""

from dataclasses import dataclass
from typing import Iterable

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from shop.inventory import stock_available_now
from shop.models import (
    Category,
    Cooperative,
    ProductImage,
    ProductPage,
    ProductVariant,
    ReservationStatus,
    Shareholding,
    StockRecord,
    StockReservation,
    Village,
    Workshop,
)

SORTS = {
    "newest": ("-first_published_at", "-pk"),
    "price_asc": ("price_min_fen", "pk"),
    "price_desc": ("-price_min_fen", "pk"),
}
DEFAULT_SORT = "newest"


@dataclass(frozen=True)
class VariantView:
    """A variant as a buyer sees it: price and how many can be bought now."""

    id: int
    sku: str
    label: str
    price_fen: int
    compare_at_price_fen: int | None
    weight_g: int | None
    available: int

    @property
    def in_stock(self) -> bool:
        return self.available > 0


def stock_available(*, skus: Iterable[str]) -> dict[str, int]:
    """Units that can be bought now for each SKU code: on hand less units held by checkouts
    (0 for a SKU with no stock record)."""
    return stock_available_now(skus=list(skus))


def _gallery_prefetch(queryset_prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{queryset_prefix}gallery_images",
        queryset=ProductImage.objects.select_related("image").prefetch_related("image__renditions"),
    )


def product_listing_queryset(
    *,
    category: Category | None = None,
    cooperative: Cooperative | None = None,
    village: Village | None = None,
    workshop: Workshop | None = None,
) -> QuerySet[ProductPage]:
    """Live, public products with price range and stock flag, related rows prefetched."""
    active_variants = Q(variants__is_active=True)
    # In stock = some active variant has units on hand beyond those held by checkouts.
    held = (
        StockReservation.objects.filter(record=OuterRef("pk"), status=ReservationStatus.ACTIVE, expires_at__gt=timezone.now())
        .values("record")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    free = StockRecord.objects.annotate(held=Coalesce(Subquery(held), 0)).filter(on_hand__gt=F("held"))
    in_stock = Exists(
        ProductVariant.objects.filter(page_id=OuterRef("pk"), is_active=True, sku__in=free.values("sku"))
    )
    products = (
        ProductPage.objects.live()
        .public()
        .select_related("cooperative", "brand", "category")
        .prefetch_related(_gallery_prefetch())
        .annotate(
            price_min_fen=Min("variants__price_fen", filter=active_variants),
            price_max_fen=Max("variants__price_fen", filter=active_variants),
            in_stock=in_stock,
        )
    )
    if category is not None:
        products = products.filter(category=category)
    if cooperative is not None:
        products = products.filter(cooperative=cooperative)
    if village is not None:
        products = products.filter(origin_villages=village)
    if workshop is not None:
        products = products.filter(workshop=workshop)
    return products


def product_list_page(
    *, category: Category | None, sort: str, page_number: str | int | None, per_page: int
) -> tuple[PaginatorPage, str]:
    """One page of the catalogue sorted as asked; an unknown sort falls back to newest."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    products = product_listing_queryset(category=category).order_by(*SORTS[sort])
    return Paginator(products, per_page).get_page(page_number), sort


def categories_with_counts() -> QuerySet[Category]:
    live_products = Q(products__live=True)
    return Category.objects.annotate(product_count=Count("products", filter=live_products))


def product_detail(*, product: ProductPage) -> dict:
    """Everything the product page shows besides the page's own fields."""
    variants = list(product.variants.filter(is_active=True).order_by("sort_order", "pk"))
    available = stock_available(skus=[v.sku for v in variants])
    variant_views = [
        VariantView(
            id=v.pk,
            sku=v.sku,
            label=v.label,
            price_fen=v.price_fen,
            compare_at_price_fen=v.compare_at_price_fen,
            weight_g=v.weight_g,
            available=available[v.sku],
        )
        for v in variants
    ]
    gallery = list(
        product.gallery_images.select_related("image").prefetch_related("image__renditions").order_by("sort_order")
    )
    cooperative = None
    shareholdings: list[Shareholding] = []
    if product.cooperative_id:
        cooperative = Cooperative.objects.get(pk=product.cooperative_id)
        shareholdings = list(
            cooperative.shareholdings.select_related("village").order_by("-shares", "village__name")
        )
    return {
        "variants": variant_views,
        "default_variant": next((v for v in variant_views if v.in_stock), variant_views[0] if variant_views else None),
        "gallery": gallery,
        "specs": list(product.specs.order_by("sort_order")),
        "cooperative": cooperative,
        "shareholdings": shareholdings,
        "total_shares": sum(s.shares for s in shareholdings),
        "origin_villages": list(product.origin_villages.order_by("township", "name")),
        "brand": product.brand if product.brand_id else None,
        "workshop": Workshop.objects.select_related("village").filter(pk=product.workshop_id).first()
        if product.workshop_id
        else None,
        "category": product.category if product.category_id else None,
    }


def cooperative_detail(*, slug: str) -> Cooperative:
    return (
        Cooperative.objects.select_related("alliance", "logo")
        .prefetch_related(
            Prefetch("shareholdings", queryset=Shareholding.objects.select_related("village").order_by("-shares")),
            Prefetch("workshops", queryset=Workshop.objects.select_related("village")),
        )
        .get(slug=slug)
    )


def village_detail(*, slug: str) -> Village:
    return (
        Village.objects.select_related("alliance", "image")
        .prefetch_related(
            Prefetch("shareholdings", queryset=Shareholding.objects.select_related("cooperative")),
            Prefetch("workshops", queryset=Workshop.objects.select_related("cooperative")),
        )
        .get(slug=slug)
    )


def workshop_detail(*, slug: str) -> Workshop:
    return (
        Workshop.objects.select_related("cooperative", "village", "image")
        .annotate(
            participant_count=Count("participants", filter=Q(participants__is_active=True), distinct=True),
            low_income_count=Count(
                "participants",
                filter=Q(participants__is_active=True, participants__is_low_income=True),
                distinct=True,
            ),
        )
        .get(slug=slug)
    )


def producer_directory() -> dict:
    return {
        "cooperatives": list(Cooperative.objects.select_related("alliance").order_by("name")),
        "villages": list(Village.objects.select_related("alliance").order_by("alliance__name", "township", "name")),
        "workshops": list(Workshop.objects.select_related("village", "cooperative").order_by("name")),
    }
