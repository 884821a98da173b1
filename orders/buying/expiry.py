"""Orders that are never paid: cancelled by the buyer or staff, or expired when their hold runs out.

Stripe is never called inside a transaction here: the decision and the stock release are
committed first, or Stripe is asked first and its answer applied after.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.buying import stripe_gateway as gateway
from orders.buying.payments import MAY_HAVE_AN_INTENT, payment_cancel, payment_sync
from orders.buying.status import OrderStateError, order_transition
from orders.models import Order, OrderStatus, PaymentStatus
from shop.inventory import stock_release

logger = logging.getLogger(__name__)
# Stripe intent states in which the buyer (3-D Secure) or the bank is still at work.
INTENT_IN_PROGRESS = {"processing", "requires_action"}


def _payments_to_cancel(order: Order):
    return order.payments.filter(MAY_HAVE_AN_INTENT).exclude(status=PaymentStatus.CANCELED)


def order_cancel(*, order: Order, actor: AbstractBaseUser | None = None) -> Order:
    """Cancel an unpaid order and release its stock, then cancel its intents at Stripe.

    The cancellation is committed before Stripe is asked. An intent that succeeded meanwhile
    is applied like any late payment (order_mark_paid); one Stripe cannot cancel now is left to
    payments_reconcile_pending. Raises OrderStateError once paid.
    """
    order = _order_cancel_record(order=order, actor=actor)
    for payment in _payments_to_cancel(order).exclude(status=PaymentStatus.SUCCEEDED):
        try:
            payment_cancel(payment=payment)
        except gateway.PaymentGatewayError as error:
            logger.warning("Could not cancel intent %s of %s: %s", payment.intent_id, order.number, error)
    order.refresh_from_db()
    return order


@transaction.atomic
def _order_cancel_record(*, order: Order, actor: AbstractBaseUser | None) -> Order:
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise OrderStateError(_("Only orders awaiting payment can be cancelled; ask for a refund instead."))
    stock_release(reference=order.number)
    order_transition(order=order, to=OrderStatus.CANCELLED, actor=actor)
    return order


def orders_expire_unpaid(*, now: datetime | None = None) -> int:
    """Expire orders whose stock hold ran out unpaid; returns how many. Safe to run twice.

    Stripe is asked first, outside any transaction, about every intent of the order: one that
    succeeded (its webhook lost) marks the order paid, or refunds it if the units are gone. One
    still in progress (processing, 3-D Secure) holds the order back until
    PAYMENT_EXPIRY_GRACE_MINUTES past its hold. Otherwise every intent that has not succeeded
    is cancelled, and the order expires only once all are. An order Stripe cannot be asked
    about now waits for the next run; its lapsed hold already frees its units for others.
    """
    now = now or timezone.now()
    expired = 0
    for order in list(Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, reserved_until__lte=now)):
        try:
            expired += _order_expire(order, now=now)
        except gateway.PaymentGatewayError as error:
            logger.warning("%s stays awaiting payment until Stripe answers: %s", order.number, error)
    return expired


def _order_expire(order: Order, *, now: datetime) -> bool:
    payments = list(_payments_to_cancel(order))
    states = {payment_sync(payment=payment).status for payment in payments}
    if "succeeded" in states:
        return False  # paid after all, or refunded as a late payment
    grace = timedelta(minutes=settings.PAYMENT_EXPIRY_GRACE_MINUTES)
    if states & INTENT_IN_PROGRESS and now < order.reserved_until + grace:
        return False
    for payment in payments:
        payment.refresh_from_db()
        if payment_cancel(payment=payment) == "succeeded":
            return False
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        # A payment started since, or an intent Stripe would not cancel (processing): not yet.
        if order.status != OrderStatus.PENDING_PAYMENT or _payments_to_cancel(order).exists():
            return False
        stock_release(reference=order.number)
        order_transition(order=order, to=OrderStatus.EXPIRED, note=_("Not paid in time"))
    return True
