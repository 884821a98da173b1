"""Which products are in a live session now, without search importing the live-streaming app.

settings.SEARCH_LIVE_PRODUCT_IDS names a callable returning a set of product ids; the app that
runs live sessions points it at its own selector and sends shop.signals.products_changed when a
session starts or ends.
"""

from shop.hooks import hook


def no_products_live() -> set[int]:
    """The default when no live-streaming app is configured."""
    return set()


def live_product_ids() -> set[int]:
    return set(hook("SEARCH_LIVE_PRODUCT_IDS", no_products_live)())
