"""Reads for the buying API."""

from django.db.models import QuerySet

from orders.models import Order


def orders_of_user(*, user) -> QuerySet[Order]:
    """A logged-in shopper's orders, newest first."""
    return Order.objects.filter(user=user).order_by("-placed_at", "-id")
