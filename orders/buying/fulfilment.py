"""Shipping and delivery of paid orders."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.buying.status import OrderStateError, order_transition
from orders.buying.tasks import shipping_notification_send
from orders.models import Order, OrderEvent, OrderStatus, Shipment


@transaction.atomic
def order_ship(*, order: Order, carrier: str, tracking_number: str, actor: AbstractBaseUser | None = None) -> Shipment:
    """Record the parcel and mark the order shipped. Raises OrderStateError, ValueError."""
    if not carrier.strip() or not tracking_number.strip():
        raise ValueError(_("Give the carrier and the tracking number."))
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in {OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED}:
        raise OrderStateError(_("Only paid orders can be shipped."))
    if order.shipments.exists():
        # Refund state shares the status field; the shipment records are what say it went out.
        raise OrderStateError(_("This order has already been shipped."))
    shipment = Shipment.objects.create(order=order, carrier=carrier.strip(), tracking_number=tracking_number.strip())
    order_transition(order=order, to=OrderStatus.SHIPPED, actor=actor, note=f"{shipment.carrier} {shipment.tracking_number}")
    transaction.on_commit(lambda: shipping_notification_send.delay(order.pk))
    return shipment


@transaction.atomic
def order_mark_delivered(*, order: Order, actor: AbstractBaseUser | None = None) -> Order:
    order = Order.objects.select_for_update().get(pk=order.pk)
    in_transit = order.shipments.filter(delivered_at__isnull=True)
    if order.status not in {OrderStatus.SHIPPED, OrderStatus.PARTIALLY_REFUNDED} or not in_transit.exists():
        raise OrderStateError(_("Only shipped orders can be marked delivered."))
    in_transit.update(delivered_at=timezone.now())
    if order.status == OrderStatus.SHIPPED:
        order_transition(order=order, to=OrderStatus.DELIVERED, actor=actor)
    else:
        # A partly refunded order keeps that status; the delivery is recorded on the shipment.
        OrderEvent.objects.create(order=order, from_status=order.status, to_status=order.status,
                                  actor=actor if actor is not None and actor.is_authenticated else None,
                                  note=_("Delivered"))
    return order
