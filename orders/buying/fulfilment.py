"""Shipping, delivery, cancellation and expiry of orders."""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.buying import stripe_gateway as gateway
from orders.buying.status import OrderStateError, order_transition
from orders.models import Order, OrderEvent, OrderStatus, PaymentStatus, Shipment
from shop.inventory import stock_release

logger = logging.getLogger(__name__)


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
    from orders.buying.tasks import shipping_notification_send

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


def _cancel_open_intents(order: Order) -> None:
    for payment in order.payments.filter(status__in=[PaymentStatus.CREATED, PaymentStatus.REQUIRES_ACTION, PaymentStatus.FAILED]):
        try:
            gateway.intent_cancel(payment.intent_id)
            payment.status = PaymentStatus.CANCELED
            payment.save(update_fields=["status"])
        except gateway.PaymentGatewayError as error:
            # A payment that still arrives later is accepted or refunded by order_mark_paid.
            logger.warning("Could not cancel intent %s of %s: %s", payment.intent_id, order.number, error)


@transaction.atomic
def order_cancel(*, order: Order, actor: AbstractBaseUser | None = None) -> Order:
    """Cancel an unpaid order and release its stock. Raises OrderStateError once paid."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise OrderStateError(_("Only orders awaiting payment can be cancelled; ask for a refund instead."))
    stock_release(reference=order.number)
    order_transition(order=order, to=OrderStatus.CANCELLED, actor=actor)
    _cancel_open_intents(order)
    return order


def orders_expire_unpaid(*, now=None) -> int:
    """Expire orders whose stock hold ran out unpaid; returns how many. Safe to run twice."""
    now = now or timezone.now()
    expired = 0
    for order_id in Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, reserved_until__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order_id)
            if order.status != OrderStatus.PENDING_PAYMENT:
                continue
            stock_release(reference=order.number)
            order_transition(order=order, to=OrderStatus.EXPIRED, note=_("Not paid in time"))
            _cancel_open_intents(order)
            expired += 1
    return expired
