"""Reads of orders for the staff screens."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from orders.models import Order


def orders_visible_to(*, user: AbstractBaseUser) -> QuerySet[Order]:
    """Orders a staff user may see in the admin.

    An accountant sees only orders with a line sold by one of their cooperatives, whatever
    other permissions they hold; fulfilment staff and admins see every order.
    """
    if user.is_superuser or not hasattr(user, "accountant"):
        return Order.objects.all()
    if not user.is_active:
        return Order.objects.none()
    return Order.objects.filter(lines__cooperative__accountants__user=user).distinct()
