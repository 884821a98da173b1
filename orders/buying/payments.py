"""Paying for orders with Stripe PaymentIntents, and the webhook events that settle them.

The order becomes paid when Stripe says so (payment_intent.succeeded, or a reconciliation
that reads the intent); the browser's word is never enough. Every event is recorded by id
first, so a duplicate or replayed delivery changes nothing twice, and each handler checks the
order's current state, so events arriving out of order cannot undo a later state.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.accounting.allocations import allocations_book_for_order
from orders.buying import stripe_gateway as gateway
from orders.buying.refunds import refund_payment_in_full, refunds_reconcile
from orders.buying.signals import order_paid
from orders.buying.status import order_transition
from orders.buying.tasks import order_confirmation_send
from orders.models import Order, OrderStatus, Payment, PaymentStatus, Refund, RefundKind, RefundStatus, StripeEvent
from shop.inventory import stock_sell_reserved

logger = logging.getLogger(__name__)
PAID_STATES = {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}
OPEN_PAYMENT = {PaymentStatus.CREATED, PaymentStatus.REQUIRES_ACTION}


class PaymentError(Exception):
    """Payment cannot start or proceed; the message says why, for the shopper."""


def _status_from_intent(status: str) -> str:
    return {
        "succeeded": PaymentStatus.SUCCEEDED,
        "requires_action": PaymentStatus.REQUIRES_ACTION,
        "canceled": PaymentStatus.CANCELED,
    }.get(status, PaymentStatus.CREATED)


@transaction.atomic
def payment_start(*, order: Order) -> Payment:
    """The PaymentIntent to pay this order with: the open one, or a new one.

    The order row is locked, so two requests at once still make one intent. Raises
    PaymentError if the order is not awaiting payment.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentError(_("This order is not awaiting payment."))
    open_payment = order.payments.filter(status__in=OPEN_PAYMENT, amount_fen=order.total_fen).first()
    if open_payment:
        return open_payment
    attempt = order.payments.count() + 1
    intent = gateway.intent_create(
        amount_fen=order.total_fen, currency=order.currency, order_number=order.number,
        idempotency_key=f"order-{order.number}-intent-{attempt}",
    )
    return Payment.objects.create(
        order=order, intent_id=intent.id, client_secret=intent.client_secret,
        amount_fen=intent.amount_fen, currency=intent.currency, status=_status_from_intent(intent.status),
    )


def payment_confirm_card(*, payment: Payment, payment_method_id: str) -> Payment:
    """Confirm the intent with a payment method created in the browser.

    A declined card leaves this attempt failed (the shopper's next card goes on a new attempt
    from payment_start); 3-D Secure leaves it requiring action. Success is recorded when
    Stripe's event arrives. Raises PaymentError for an attempt that is already over.
    """
    if payment.status not in OPEN_PAYMENT:
        # A failed intent is not retried: the buyer's next attempt starts a new one.
        raise PaymentError(_("This payment attempt is over; start a new one."))
    try:
        intent = gateway.intent_confirm(
            intent_id=payment.intent_id, payment_method_id=payment_method_id,
            idempotency_key=f"{payment.intent_id}-{payment_method_id}",
        )
    except gateway.CardDeclined as declined:
        Payment.objects.filter(pk=payment.pk).exclude(status=PaymentStatus.SUCCEEDED).update(
            status=PaymentStatus.FAILED, last_error=str(declined)[:255]
        )
        payment.refresh_from_db()
        return payment
    if intent.status == "requires_action":
        Payment.objects.filter(pk=payment.pk, status__in=OPEN_PAYMENT).update(
            status=PaymentStatus.REQUIRES_ACTION
        )
    payment.refresh_from_db()
    return payment


@transaction.atomic
def order_mark_paid(*, payment: Payment, note: str) -> Order:
    """Record a succeeded payment and sell the held stock. Idempotent.

    If the hold expired and the units were sold to someone else meanwhile, the payment is
    refunded in full at once and the order ends refunded: the shop never oversells.
    """
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.SUCCEEDED, last_error="")
    if order.status in PAID_STATES:
        paid_by_other = order.payments.filter(status=PaymentStatus.SUCCEEDED).exclude(pk=payment.pk).exists()
        if paid_by_other and not payment.refunds.exists():
            refund_payment_in_full(payment=payment, kind=RefundKind.DUPLICATE)
        return order
    conversion = stock_sell_reserved(reference=order.number)
    if conversion.complete:
        order.paid_at = timezone.now()
        order.save(update_fields=["paid_at"])
        order_transition(order=order, to=OrderStatus.PAID, note=note)
        allocations_book_for_order(order=order)
        transaction.on_commit(lambda: order_confirmation_send.delay(order.pk))
        # robust: a listener failing (a room socket down, say) never fails the payment itself.
        transaction.on_commit(lambda: order_paid.send(sender=Order, order_id=order.pk), robust=True)
        return order
    refund = Refund.objects.create(
        order=order, payment=payment, amount_fen=payment.amount_fen,
        reason=_("Sold out while the payment was under way; refunded automatically."),
    )
    result = gateway.refund_create(
        intent_id=payment.intent_id, amount_fen=payment.amount_fen, idempotency_key=f"refund-{order.number}-auto"
    )
    refund.stripe_refund_id, refund.status = result.id, RefundStatus.SUCCEEDED if result.status == "succeeded" else RefundStatus.PENDING
    refund.save(update_fields=["stripe_refund_id", "status"])
    order.refunded_fen = payment.amount_fen
    order.save(update_fields=["refunded_fen"])
    order_transition(order=order, to=OrderStatus.REFUNDED, note=refund.reason)
    return order


def _payment_for(intent_id: str) -> Payment | None:
    return Payment.objects.filter(intent_id=intent_id).first()


def _on_intent_succeeded(intent: dict, event_type: str) -> None:
    payment = _payment_for(intent["id"])
    if payment is None:
        logger.warning("Stripe event %s for unknown intent %s", event_type, intent["id"])
        return
    if intent["amount"] != payment.amount_fen:
        logger.error("Intent %s amount %s differs from payment %s", intent["id"], intent["amount"], payment.amount_fen)
        return
    order_mark_paid(payment=payment, note=event_type)


def _on_intent_failed(intent: dict, event_type: str) -> None:
    error = intent.get("last_payment_error") or {}
    message = error.get("message", "") if isinstance(error, dict) else ""
    Payment.objects.filter(intent_id=intent["id"]).exclude(status=PaymentStatus.SUCCEEDED).update(
        status=PaymentStatus.FAILED, last_error=(message or _("The payment failed."))[:255]
    )


def _on_intent_canceled(intent: dict, event_type: str) -> None:
    Payment.objects.filter(intent_id=intent["id"]).exclude(status=PaymentStatus.SUCCEEDED).update(
        status=PaymentStatus.CANCELED
    )


def _on_charge_refunded(charge: dict, event_type: str) -> None:
    payment = _payment_for(charge.get("payment_intent") or "")
    if payment is not None:
        refunds_reconcile(payment=payment, amount_refunded_fen=charge.get("amount_refunded", 0))


HANDLERS = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "payment_intent.canceled": _on_intent_canceled,
    "charge.refunded": _on_charge_refunded,
}


def stripe_event_handle(*, event: dict) -> str:
    """Apply a verified Stripe event once. Returns "handled", "duplicate" or "ignored".

    The event id is stored in the same transaction as its effects: if handling fails, neither
    is kept and Stripe's retry will handle it again.
    """
    handler = HANDLERS.get(event.get("type", ""))
    if handler is None:
        return "ignored"
    try:
        with transaction.atomic():
            StripeEvent.objects.create(event_id=event["id"], type=event["type"])
            handler(event["data"]["object"], event["type"])
    except IntegrityError:
        if StripeEvent.objects.filter(event_id=event["id"]).exists():
            return "duplicate"
        raise
    return "handled"


def payment_reconcile(*, payment: Payment) -> Payment:
    """Read the intent from Stripe and apply what it says (for a missed or late webhook)."""
    intent = gateway.intent_retrieve(payment.intent_id)
    if intent.status == "succeeded":
        order_mark_paid(payment=payment, note="reconciled")
    elif intent.status == "canceled":
        _on_intent_canceled({"id": intent.id}, "reconciled")
    payment.refresh_from_db()
    return payment
