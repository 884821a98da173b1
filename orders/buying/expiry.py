"""Orders that are never paid: cancelled by the buyer or staff, or expired when their hold runs out."""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.buying import stripe_gateway as gateway
from orders.buying.status import OrderStateError, order_transition
from orders.models import Order, OrderStatus, PaymentStatus
from shop.inventory import stock_release

logger = logging.getLogger(__name__)


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
