from functools import cache

from django.http import HttpRequest

from orders.buying.cart import cart_item_count
from orders.buying.session_cart import cart_for_request


def cart(request: HttpRequest) -> dict:
    """The header's cart count, counted only when a template shows it (one query, at most once)."""

    @cache
    def count() -> int:
        if not hasattr(request, "session"):
            return 0
        return cart_item_count(cart=cart_for_request(request))

    return {"cart_item_count": count}
