"""Cross-app hooks: the places where one app lets another plug in without importing it.

Dependencies flow one way (shared/DESIGN.md §2): shop imports no other app, orders knows
nothing of live selling, search and cms read only shop. Where a lower app needs something an
upper app knows, it names a hook here; config/settings.py sets each hook once, in its
"Cross-app hooks" block, to the dotted path of the upper app's callable (a list of them for
CMS_HOME_SECTIONS). An unset hook falls back to the default its caller gives.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

HOOKS: dict[str, str] = {
    "SHOP_PARTICIPANT_SCOPE": "participants_visible_to(user=…) → the workshop participants a user may see",
    "SHOP_HOST_RATE_MAX": "host_rate_max_bp() → the largest host commission that can apply, checked with fees",
    "ORDERS_OFFER_PROVIDER": "a class whose instances price, count and claim limited offers for the cart",
    "ORDERS_HOST_NAMES": "host_names(host_ids) → {id: display name} for statements and exports",
    "SEARCH_LIVE_PRODUCT_IDS": "live_product_ids() → ids of the products on air now, boosted in search",
    "CMS_HOME_SECTIONS": "a list of section(request) → HTML (or '') shown on the home page",
}


def hook(name: str, default: Callable[..., Any] | None = None) -> Callable[..., Any] | None:
    """The callable the hook names, or `default` when it is unset. Raises KeyError for a name
    that is not a hook (a typo must not silently fall back)."""
    if name not in HOOKS:
        raise KeyError(f"{name} is not a cross-app hook; known hooks: {', '.join(HOOKS)}.")
    path = getattr(settings, name, "")
    return import_string(path) if path else default


def hook_list(name: str) -> list[Callable[..., Any]]:
    """Every callable a list hook names, in order (none when unset)."""
    if name not in HOOKS:
        raise KeyError(f"{name} is not a cross-app hook; known hooks: {', '.join(HOOKS)}.")
    return [import_string(path) for path in getattr(settings, name, [])]
