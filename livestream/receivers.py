"""Signal receivers: thin callers of the services that react to other apps' news."""

from django.dispatch import receiver

from livestream.sales import order_paid_announce
from orders.buying.signals import order_paid
from orders.models import Order


@receiver(order_paid)
def announce_live_sale(sender, order_id: int, **kwargs) -> None:
    order = Order.objects.filter(pk=order_id).first()
    if order is not None:
        order_paid_announce(order=order)
