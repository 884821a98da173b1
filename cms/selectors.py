"""Reads for the cms pages."""


from cms.models import HomePage, StoryPage
from shop.selectors import categories_with_counts, product_listing_queryset


def home_page_context(*, home: HomePage) -> dict:
    featured_ids = list(home.featured_products.order_by("sort_order").values_list("product_id", flat=True))
    by_id = {p.pk: p for p in product_listing_queryset().filter(pk__in=featured_ids)}
    featured = [by_id[pk] for pk in featured_ids if pk in by_id]
    hero = None
    if home.hero_product_id:
        hero = product_listing_queryset().filter(pk=home.hero_product_id).first()
    newest = list(product_listing_queryset().order_by("-first_published_at", "-pk")[:8])
    stories = list(StoryPage.objects.live().public().select_related("hero_image").order_by("-date", "-pk")[:3])
    return {
        "hero": hero,
        "featured": featured,
        "newest": newest,
        "categories": [c for c in categories_with_counts() if c.product_count],
        "stories": stories,
    }
