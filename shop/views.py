"""Storefront views of the catalogue and producers: parse input, call a selector, render."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from shop import selectors
from shop.models import CatalogueIndexPage, Category, Cooperative, Village, Workshop


def catalogue_listing(request: HttpRequest, *, page: CatalogueIndexPage, category: str | None) -> HttpResponse:
    current_category = get_object_or_404(Category, slug=category) if category else None
    products, sort = selectors.product_list_page(
        category=current_category,
        sort=request.GET.get("sort", ""),
        page_number=request.GET.get("page"),
        per_page=settings.SHOP_PRODUCTS_PER_PAGE,
    )
    context = page.get_context(request)
    context.update(
        {
            "products": products,
            "sort": sort,
            "current_category": current_category,
            "categories": selectors.categories_with_counts(),
        }
    )
    return render(request, "shop/catalogue_index_page.html", context)


def _producer_page(request: HttpRequest, template: str, selector, slug: str, key: str, **listing_filter) -> HttpResponse:
    try:
        obj = selector(slug=slug)
    except (Cooperative.DoesNotExist, Village.DoesNotExist, Workshop.DoesNotExist):
        raise Http404
    products = selectors.product_listing_queryset(**{listing_filter["by"]: obj}).order_by("-first_published_at")
    return render(request, template, {key: obj, "products": products})


def cooperative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _producer_page(request, "shop/cooperative_detail.html", selectors.cooperative_detail, slug, "cooperative", by="cooperative")


def village_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _producer_page(request, "shop/village_detail.html", selectors.village_detail, slug, "village", by="village")


def workshop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _producer_page(request, "shop/workshop_detail.html", selectors.workshop_detail, slug, "workshop", by="workshop")


def producer_directory(request: HttpRequest) -> HttpResponse:
    return render(request, "shop/producer_directory.html", selectors.producer_directory())
