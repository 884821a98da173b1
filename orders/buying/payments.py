"""Paying for orders with Stripe PaymentIntents, and the webhook events that settle them.

The order becomes paid when Stripe says so (payment_intent.succeeded, or a reconciliation
that reads the intent); the browser's word is never enough. Every event is recorded by id
first, so a duplicate or replayed delivery changes nothing twice, and each handler checks the
order's current state, so events arriving out of order cannot undo a later state.

No call to Stripe is made inside a database transaction: a slow Stripe would hold row locks,
and on SQLite the one write lock of the whole shop. Each operation is recorded and committed
first (a payment in the requested state, with the idempotency key every attempt sends), then
sent, and Stripe's answer applied in a new transaction. A retry sends the same key, so Stripe
answers with the same intent, and applying the same answer twice changes nothing.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.accounting.allocations import allocations_book_for_order
from orders.buying import stripe_gateway as gateway
from orders.buying.refunds import refund_payment_in_full, refund_stripe_update, refunds_reconcile
from orders.buying.signals import order_paid
from orders.buying.status import order_transition
from orders.buying.tasks import order_confirmation_send
from orders.models import Order, OrderStatus, Payment, PaymentStatus, Refund, RefundKind, StripeEvent
from shop.inventory import stock_sell_reserved

logger = logging.getLogger(__name__)
PAID_STATES = {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}
OPEN_PAYMENT = {PaymentStatus.CREATED, PaymentStatus.REQUIRES_ACTION}
# Not settled either way: Stripe may still make these succeed.
UNSETTLED_PAYMENT = {PaymentStatus.REQUESTED, *OPEN_PAYMENT}
# Payments that have, or may have, an intent at Stripe (a create refused outright has none).
MAY_HAVE_AN_INTENT = Q(intent_id__isnull=False) | Q(status=PaymentStatus.REQUESTED)
# Intent states a cancel cannot or need not change.
INTENT_SETTLED_OR_BUSY = {"succeeded", "canceled", "processing"}
# How long a request that finds another request's payment recorded but not yet sent waits for it
# before sending the same create itself (same key, so Stripe answers with the same intent).
SEND_WAIT_SECONDS = 3.0


class PaymentError(Exception):
    """Payment cannot start or proceed; the message says why, for the shopper."""


def payment_start(*, order: Order) -> Payment:
    """The PaymentIntent to pay this order with: the open one, or a new one.

    The payment is recorded under the order's lock and committed before Stripe is asked, so
    two requests at once share one payment and its idempotency key: one intent. Raises
    PaymentError if the order is not awaiting payment, PaymentGatewayError if Stripe refuses
    or cannot be reached (GatewayUnreachable: the next attempt sends the same key again).
    """
    gateway.ensure_configured()
    payment, recorded_here = _payment_record(order=order)
    if payment.intent_id:
        return payment
    if not recorded_here:
        payment = _payment_wait_for_send(payment)
        if payment.intent_id:
            return payment
    payment, _intent = _payment_send(payment)
    return payment


@transaction.atomic
def _payment_record(*, order: Order) -> tuple[Payment, bool]:
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentError(_("This order is not awaiting payment."))
    current = order.payments.filter(status__in=UNSETTLED_PAYMENT, amount_fen=order.total_fen).first()
    if current:
        return current, False
    attempt = order.payments.count() + 1
    payment = Payment.objects.create(
        order=order, status=PaymentStatus.REQUESTED, amount_fen=order.total_fen, currency=order.currency,
        idempotency_key=f"order-{order.number}-intent-{attempt}",
    )
    return payment, True


def _payment_wait_for_send(payment: Payment) -> Payment:
    deadline = payment.created_at + timedelta(seconds=SEND_WAIT_SECONDS)
    while not payment.intent_id and timezone.now() < deadline:
        time.sleep(0.1)
        payment.refresh_from_db()
    return payment


def _payment_send(payment: Payment) -> tuple[Payment, gateway.Intent]:
    """Send a recorded payment's create to Stripe and apply the answer; outside any transaction.

    Sending it again is safe: the key is the payment's, so Stripe returns the same intent.
    A refusal (not a lost answer) leaves the payment failed, so the next attempt gets a new key.
    """
    try:
        intent = gateway.intent_create(
            amount_fen=payment.amount_fen, currency=payment.currency, order_number=payment.order.number,
            idempotency_key=payment.idempotency_key,
        )
    except gateway.GatewayUnreachable:
        raise
    except gateway.PaymentGatewayError as refused:
        Payment.objects.filter(pk=payment.pk, intent_id__isnull=True).update(
            status=PaymentStatus.FAILED, last_error=str(refused)[:255]
        )
        raise
    applied = Payment.objects.filter(pk=payment.pk, intent_id__isnull=True).update(
        intent_id=intent.id, client_secret=intent.client_secret, last_error="",
        status=PaymentStatus.REQUIRES_ACTION if intent.status == "requires_action" else PaymentStatus.CREATED,
    )
    payment.refresh_from_db()
    if not applied and payment.intent_id != intent.id:
        # Only where keys are not honoured (localstripe): a second intent for the same payment,
        # whose secret nobody was given. Cancel it so it can never be paid.
        _intent_cancel_unused(intent.id)
        intent = gateway.intent_retrieve(payment.intent_id)
    return payment, intent


def _intent_cancel_unused(intent_id: str) -> None:
    try:
        gateway.intent_cancel(intent_id)
    except gateway.PaymentGatewayError as error:
        logger.warning("Could not cancel the unused intent %s: %s", intent_id, error)


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


def order_mark_paid(*, payment: Payment, note: str) -> Order:
    """Record a payment Stripe says succeeded and sell the held stock. Idempotent.

    Call it outside any transaction, with what Stripe said already read. If the order was
    already paid by an earlier payment, or its hold lapsed and the units were sold to someone
    else meanwhile, this payment is refunded in full once the sale is decided and committed (a
    late payment's order ends refunded): the shop never oversells. Raises PaymentGatewayError
    when that refund cannot be sent now (payments_reconcile_pending sends it later).
    """
    order, refund_kind = _order_apply_paid(payment=payment, note=note)
    if refund_kind:
        _refund_duplicate(order, payment, kind=refund_kind)
        order.refresh_from_db()
    return order


@transaction.atomic
def _order_apply_paid(*, payment: Payment, note: str) -> tuple[Order, str]:
    """Mark the payment succeeded and the order paid, in one transaction.

    Returns the order and the refund this payment is owed: "duplicate", "late" or "".
    """
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    Payment.objects.filter(pk=payment.pk).exclude(status=PaymentStatus.SUCCEEDED).update(
        status=PaymentStatus.SUCCEEDED, last_error="", succeeded_at=timezone.now()
    )
    if order.status in PAID_STATES:
        return order, "duplicate" if _paid_by_an_earlier_payment(payment) else ""
    conversion = stock_sell_reserved(reference=order.number)
    if not conversion.complete:
        return order, "late"
    order.paid_at = timezone.now()
    order.save(update_fields=["paid_at"])
    order_transition(order=order, to=OrderStatus.PAID, note=note)
    allocations_book_for_order(order=order)
    transaction.on_commit(lambda: order_confirmation_send.delay(order.pk))
    # robust: a listener failing (a room socket down, say) never fails the payment itself.
    transaction.on_commit(lambda: order_paid.send(sender=Order, order_id=order.pk), robust=True)
    return order, ""


def _paid_by_an_earlier_payment(payment: Payment) -> bool:
    succeeded_at = Payment.objects.values_list("succeeded_at", flat=True).get(pk=payment.pk)
    earlier = Q(succeeded_at__lt=succeeded_at) | Q(succeeded_at=succeeded_at, pk__lt=payment.pk)
    return Payment.objects.filter(earlier, order_id=payment.order_id, status=PaymentStatus.SUCCEEDED).exists()


def _refund_duplicate(order: Order, payment: Payment, *, kind: str) -> None:
    """Give back in full a payment the order does not need: a "duplicate" of an order already
    paid, or a "late" one whose units went to someone else (that order ends refunded).

    refunds.refund_payment_in_full records it (its key fixed by the payment and kind) and sends
    it once this commits; it touches no allocation and is not a refund of goods. Safe to call
    again: the same refund is found, and one Stripe accepted is never sent twice.
    """
    with transaction.atomic():
        refund = refund_payment_in_full(payment=payment, kind=kind)
        if kind == RefundKind.LATE:
            order = Order.objects.select_for_update().get(pk=order.pk)
            if order.status not in PAID_STATES:
                order_transition(order=order, to=OrderStatus.REFUNDED, note=refund.reason)


def _payment_for(intent_id: str) -> Payment | None:
    return Payment.objects.filter(intent_id=intent_id).first()


AfterCommit = Callable[[], None] | None


def _amount_differs(payment: Payment, intent_amount_fen: int) -> bool:
    if intent_amount_fen == payment.amount_fen:
        return False
    logger.error(
        "Intent %s amount %s differs from payment %s", payment.intent_id, intent_amount_fen, payment.amount_fen
    )
    return True


def _on_intent_succeeded(intent: dict, event_type: str) -> AfterCommit:
    payment = _payment_for(intent["id"])
    if payment is None:
        logger.warning("Stripe event %s for unknown intent %s", event_type, intent["id"])
        return None
    if _amount_differs(payment, intent["amount"]):
        return None
    order, refund_kind = _order_apply_paid(payment=payment, note=event_type)
    return (lambda: _refund_duplicate(order, payment, kind=refund_kind)) if refund_kind else None


def _on_intent_failed(intent: dict, event_type: str) -> AfterCommit:
    error = intent.get("last_payment_error") or {}
    message = error.get("message", "") if isinstance(error, dict) else ""
    Payment.objects.filter(intent_id=intent["id"]).exclude(status=PaymentStatus.SUCCEEDED).update(
        status=PaymentStatus.FAILED, last_error=(message or _("The payment failed."))[:255]
    )
    return None


def _on_intent_canceled(intent: dict, event_type: str) -> AfterCommit:
    Payment.objects.filter(intent_id=intent["id"]).exclude(status=PaymentStatus.SUCCEEDED).update(
        status=PaymentStatus.CANCELED
    )
    return None


def _on_charge_refunded(charge: dict, event_type: str) -> AfterCommit:
    payment = _payment_for(charge.get("payment_intent") or "")
    if payment is not None:
        refunds_reconcile(payment=payment, amount_refunded_fen=charge.get("amount_refunded", 0))
    return None


def _on_refund_changed(refund: dict, event_type: str) -> AfterCommit:
    # A refund the shop asked for moved on at Stripe (succeeded, or failed after all).
    refund_stripe_update(stripe_refund=refund)
    return None


HANDLERS = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "payment_intent.canceled": _on_intent_canceled,
    "charge.refunded": _on_charge_refunded,
    "refund.created": _on_refund_changed,
    "refund.updated": _on_refund_changed,
    "charge.refund.updated": _on_refund_changed,
}


def stripe_event_handle(*, event: dict) -> str:
    """Apply a verified Stripe event once. Returns "handled", "duplicate" or "ignored".

    The event id is stored in the same transaction as its effects: if handling fails, neither
    is kept and Stripe's retry will handle it again. What the event asks of Stripe in turn (a
    refund of a duplicate or late payment) is sent after that commit; if Stripe cannot take it
    now, payments_reconcile_pending sends it later.
    """
    handler = HANDLERS.get(event.get("type", ""))
    if handler is None:
        return "ignored"
    try:
        with transaction.atomic():
            StripeEvent.objects.create(event_id=event["id"], type=event["type"])
            after_commit = handler(event["data"]["object"], event["type"])
    except IntegrityError:
        if StripeEvent.objects.filter(event_id=event["id"]).exists():
            return "duplicate"
        raise
    if after_commit is not None:
        try:
            after_commit()
        except gateway.PaymentGatewayError as error:
            logger.warning("Event %s: the refund it calls for is left to the reconcile job: %s", event["id"], error)
    return "handled"


def payment_sync(*, payment: Payment, note: str = "reconciled") -> gateway.Intent:
    """Read the payment's intent from Stripe, then apply what it says; outside any transaction.

    A payment recorded but never sent is sent first (same key: the intent it may already have).
    A succeeded intent marks the order paid (order_mark_paid: idempotent), a canceled one the
    payment canceled. Returns the intent as read. Raises PaymentGatewayError when Stripe cannot
    be asked now, or refuses to create a recorded payment's intent.
    """
    if payment.intent_id:
        intent = gateway.intent_retrieve(payment.intent_id)
    else:
        payment, intent = _payment_send(payment)
    _payment_apply(payment, intent, note)
    return intent


def _payment_apply(payment: Payment, intent: gateway.Intent, note: str) -> None:
    if intent.status == "succeeded":
        if _amount_differs(payment, intent.amount_fen):
            return
        order_mark_paid(payment=payment, note=note)
    elif intent.status == "canceled":
        _on_intent_canceled({"id": intent.id}, note)


def payment_reconcile(*, payment: Payment) -> Payment:
    """Read the intent from Stripe and apply what it says (for a missed or late webhook)."""
    payment_sync(payment=payment)
    payment.refresh_from_db()
    return payment


def payment_cancel(*, payment: Payment) -> str:
    """Cancel the payment's intent at Stripe unless it succeeded, and record the outcome.

    Outside any transaction. Returns the intent's status as Stripe last gave it: "canceled"
    when done; "succeeded" when it was paid after all (applied as order_mark_paid does);
    "processing" when Stripe will not cancel it yet. Raises PaymentGatewayError when Stripe
    cannot be reached (nothing is recorded; ask again later).
    """
    if payment.status in {PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED}:
        return payment.status
    if not payment.intent_id:
        payment, _intent = _payment_send(payment)
    try:
        intent = gateway.intent_cancel(payment.intent_id)
    except gateway.GatewayUnreachable:
        raise
    except gateway.PaymentGatewayError:
        # Stripe refuses to cancel an intent that succeeded or is processing: see which.
        intent = gateway.intent_retrieve(payment.intent_id)
    _payment_apply(payment, intent, "reconciled")
    return intent.status


def payments_reconcile_pending(*, now: datetime | None = None) -> int:
    """Ask Stripe about every payment left unsettled for PAYMENT_RECONCILE_AFTER_MINUTES,
    whatever its order's state, and apply the answer; returns how many were read. Safe to run
    twice, or alongside webhooks.

    So a lost webhook loses nothing: a succeeded intent marks its order paid (or is refunded
    as a duplicate or late payment), and an open intent of an order no longer awaiting payment
    is cancelled. Refunds owed to such payments that Stripe could not take at the time are sent
    again, with the same key. A payment Stripe cannot be asked about now waits for the next run.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES)
    read = 0
    for payment in Payment.objects.filter(status__in=UNSETTLED_PAYMENT, created_at__lte=cutoff).order_by("pk"):
        try:
            intent = payment_sync(payment=payment)
            order_status = Order.objects.values_list("status", flat=True).get(pk=payment.order_id)
            if order_status != OrderStatus.PENDING_PAYMENT and intent.status not in INTENT_SETTLED_OR_BUSY:
                payment_cancel(payment=payment)
        except gateway.PaymentGatewayError as error:
            logger.warning("Could not reconcile payment %s: %s", payment.pk, error)
            continue
        read += 1
    for payment in _payments_owed_a_refund():
        try:
            order_mark_paid(payment=payment, note="reconciled")
        except gateway.PaymentGatewayError as error:
            logger.warning("Could not refund payment %s yet: %s", payment.pk, error)
    return read


def _payments_owed_a_refund():
    earlier = Payment.objects.filter(
        order=OuterRef("order"), status=PaymentStatus.SUCCEEDED, succeeded_at__lt=OuterRef("succeeded_at")
    )
    sent = Refund.objects.filter(payment=OuterRef("pk"), stripe_refund_id__isnull=False)
    return (
        Payment.objects.filter(status=PaymentStatus.SUCCEEDED)
        .filter(Q(Exists(earlier)) | ~Q(order__status__in=PAID_STATES))
        .exclude(Exists(sent))
        .order_by("pk")
    )
