"""Celery tasks: thin shells over search.indexing; safe to run twice."""

from celery import shared_task
from elastic_transport import ConnectionError as SearchConnectionError
from elastic_transport import ConnectionTimeout

from search import indexing


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, SearchConnectionError, ConnectionTimeout),
    retry_backoff=True,
    max_retries=5,
)
def product_index_update(product_ids: list[int]) -> dict[str, int]:
    return indexing.product_index_update(product_ids=product_ids)
