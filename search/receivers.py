"""Signal receivers that queue re-indexing; connected in SearchConfig.ready().

They only find which products changed and enqueue; the work happens in search.indexing (through
the task).
"""

from collections.abc import Iterable

from django.db import transaction

from search.synonyms import synonym_map_clear
from search.tasks import product_index_update
from shop.models import ProductPage, ProductVariant, Village


def on_page_published(sender, instance, **kwargs) -> None:
    product_index_enqueue([instance.pk])


def on_page_unpublished(sender, instance, **kwargs) -> None:
    product_index_enqueue([instance.pk])


def on_product_deleted(sender, instance, **kwargs) -> None:
    product_index_enqueue([instance.pk])


def on_stock_movement(sender, instance, created: bool = False, **kwargs) -> None:
    if created:
        product_index_enqueue(ProductVariant.objects.filter(sku=instance.record.sku).values_list("page_id", flat=True))


def on_products_changed(sender, product_ids=(), **kwargs) -> None:
    product_index_enqueue(product_ids)


def on_producer_saved(sender, instance, **kwargs) -> None:
    """A renamed brand, category, cooperative or village changes the products that show it."""
    if isinstance(instance, Village):
        products = ProductPage.objects.filter(origin_villages=instance)
    else:
        field = {"Brand": "brand", "Category": "category", "Cooperative": "cooperative"}[type(instance).__name__]
        products = ProductPage.objects.filter(**{field: instance})
    product_index_enqueue(products.values_list("pk", flat=True))


def on_synonym_changed(sender, **kwargs) -> None:
    synonym_map_clear()


def product_index_enqueue(product_ids: Iterable[int]) -> None:
    """Re-index these products once the current transaction commits.

    robust: a search outage must never undo or break the publish or stock change that caused it;
    the failure is logged and the next change or a rebuild catches up.
    """
    ids = sorted({int(i) for i in product_ids if i is not None})
    if not ids:
        return

    def send() -> None:
        product_index_update.delay(ids)

    transaction.on_commit(send, robust=True)
