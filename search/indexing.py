"""Keeping the catalogue index current: services called by tasks and the search_index command."""

import logging
from collections.abc import Callable, Iterable

from search.backends import get_backend
from search.documents import document_build, product_sources, searchable_product_count

logger = logging.getLogger(__name__)


def product_index_update(*, product_ids: Iterable[int]) -> dict[str, int]:
    """Re-index these products from the database: live, public ones are (re)written, the rest
    removed. Idempotent, so running it twice or late is harmless."""
    wanted = {int(i) for i in product_ids}
    if not wanted:
        return {"indexed": 0, "removed": 0}
    backend = get_backend()
    documents = [document_build(source) for source in product_sources(product_ids=wanted)]
    backend.upsert(documents)
    gone = wanted - {d.id for d in documents}
    backend.delete(gone)
    return {"indexed": len(documents), "removed": len(gone)}


def product_index_rebuild(*, progress: Callable[[int], None] | None = None) -> int:
    """Index every live product into a new index and swap it in; returns how many."""
    backend = get_backend()
    return backend.rebuild((document_build(source) for source in product_sources()), progress=progress)


def index_status() -> dict:
    """The backend's description of its index, plus how many products should be in it."""
    return get_backend().status() | {"searchable_products": searchable_product_count()}
