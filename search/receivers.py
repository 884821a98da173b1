"""Signal receivers that queue re-indexing; connected in SearchConfig.ready().

They only find which products changed and enqueue; the work happens in search.indexing.
"""

from search.indexing import product_index_enqueue


def on_page_published(sender, instance, **kwargs) -> None:
    product_index_enqueue([instance.pk])


def on_page_unpublished(sender, instance, **kwargs) -> None:
    product_index_enqueue([instance.pk])


def on_product_deleted(sender, instance, **kwargs) -> None:
    product_index_enqueue([instance.pk])


def on_stock_movement(sender, instance, created: bool = False, **kwargs) -> None:
    from shop.models import ProductVariant

    if created:
        product_index_enqueue(ProductVariant.objects.filter(sku=instance.record.sku).values_list("page_id", flat=True))


def on_products_changed(sender, product_ids=(), **kwargs) -> None:
    product_index_enqueue(product_ids)


def on_producer_saved(sender, instance, **kwargs) -> None:
    """A renamed brand, category, cooperative or village changes the products that show it."""
    from shop.models import ProductPage, Village

    if isinstance(instance, Village):
        products = ProductPage.objects.filter(origin_villages=instance)
    else:
        field = {"Brand": "brand", "Category": "category", "Cooperative": "cooperative"}[type(instance).__name__]
        products = ProductPage.objects.filter(**{field: instance})
    product_index_enqueue(products.values_list("pk", flat=True))


def on_synonym_changed(sender, **kwargs) -> None:
    from search.synonyms import synonym_map_clear

    synonym_map_clear()
