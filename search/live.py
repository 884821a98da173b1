"""Which products are in a live session now, without search importing the live-streaming app.

settings.SEARCH_LIVE_PRODUCT_IDS names a callable returning a set of product ids; the app that
runs live sessions points it at its own selector and sends shop.signals.products_changed when a
session starts or ends.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def no_products_live() -> set[int]:
    """The default when no live-streaming app is configured."""
    return set()


def live_product_ids() -> set[int]:
    return set(import_string(getattr(settings, "SEARCH_LIVE_PRODUCT_IDS", "search.live.no_products_live"))())
