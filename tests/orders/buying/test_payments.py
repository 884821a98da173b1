"""Payments through the real Stripe code path, against a localstripe process."""

import hashlib
import hmac
import json
import time
import uuid

import pytest
from django.core import mail
from django.utils import timezone

from orders.buying import stripe_gateway
from orders.buying.payments import payment_confirm_card, payment_reconcile, payment_start
from orders.models import OrderStatus, Payment, PaymentStatus, RefundKind, StripeEvent
from shop.inventory import stock_reserve
from shop.models import StockRecord
from tests.orders.helpers import place
from tests.stripe_fixtures import WEBHOOK_SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_outside_transactions")]


def _signed(event: dict, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={timestamp},v1={signature}"


def _event(kind: str, payment, **extra) -> dict:
    return {
        "id": f"evt_{uuid.uuid4().hex[:16]}", "object": "event", "type": kind, "created": int(time.time()),
        "data": {"object": {"id": payment.intent_id, "object": "payment_intent", "amount": payment.amount_fen,
                            "currency": payment.currency.lower(), "status": extra.pop("status", "succeeded"), **extra}},
    }


def _deliver(client, event: dict, secret: str = WEBHOOK_SECRET):
    payload, signature = _signed(event, secret)
    return client.post("/stripe/webhook/", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


def _confirmed_payment(localstripe, *items, card="4242424242424242"):
    order = place(*items)
    payment = payment_start(order=order)
    return order, payment_confirm_card(payment=payment, payment_method_id=localstripe.payment_method(card))


def test_payment_start_creates_one_intent_for_the_order_total(localstripe):
    order = place(("CJ-ZZ-500G", 1))
    payment = payment_start(order=order)
    assert payment.amount_fen == order.total_fen == 6800 + 2500
    assert payment.client_secret.startswith(payment.intent_id)
    assert payment_start(order=order).pk == payment.pk  # reused, not a second intent


def test_succeeded_event_marks_paid_sells_stock_and_sends_confirmation(client, localstripe, django_capture_on_commit_callbacks):
    order, payment = _confirmed_payment(localstripe, ("CJ-ZZ-500G", 2))
    with django_capture_on_commit_callbacks(execute=True):
        response = _deliver(client, _event("payment_intent.succeeded", payment))
    assert response.status_code == 200 and response.json()["outcome"] == "handled"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.paid_at is not None
    assert StockRecord.objects.get(sku="CJ-ZZ-500G").on_hand == 118
    assert any(order.number in message.subject for message in mail.outbox)


def test_duplicate_and_replayed_events_change_nothing_twice(client, localstripe):
    order, payment = _confirmed_payment(localstripe, ("CJ-ZZ-500G", 1))
    event = _event("payment_intent.succeeded", payment)
    assert _deliver(client, event).json()["outcome"] == "handled"
    assert _deliver(client, event).json()["outcome"] == "duplicate"
    # a new event id for the same payment (Stripe resends) is handled but sells nothing again
    assert _deliver(client, _event("payment_intent.succeeded", payment)).json()["outcome"] == "handled"
    assert StockRecord.objects.get(sku="CJ-ZZ-500G").on_hand == 119
    assert order.events.filter(to_status=OrderStatus.PAID).count() == 1
    assert StockRecord.objects.get(sku="CJ-ZZ-500G").movements.filter(kind="sell").count() == 1


def test_failure_arriving_after_success_does_not_undo_the_payment(client, localstripe):
    order, payment = _confirmed_payment(localstripe, ("CJ-ZZ-500G", 1))
    _deliver(client, _event("payment_intent.succeeded", payment))
    _deliver(client, _event("payment_intent.payment_failed", payment, status="requires_payment_method",
                            last_payment_error={"message": "late failure"}))
    _deliver(client, _event("payment_intent.canceled", payment, status="canceled"))
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID and payment.status == PaymentStatus.SUCCEEDED


def test_success_arriving_after_a_failure_still_pays(client, localstripe):
    order, payment = _confirmed_payment(localstripe, ("CJ-ZZ-500G", 1))
    _deliver(client, _event("payment_intent.payment_failed", payment, status="requires_payment_method"))
    _deliver(client, _event("payment_intent.succeeded", payment))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_bad_signature_is_refused_and_changes_nothing(client, localstripe):
    order, payment = _confirmed_payment(localstripe, ("CJ-ZZ-500G", 1))
    response = _deliver(client, _event("payment_intent.succeeded", payment), secret="whsec_wrong")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_signature"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert not StripeEvent.objects.exists()
    unsigned = client.post("/stripe/webhook/", data=b"{}", content_type="application/json")
    assert unsigned.status_code == 400


def test_declined_card_leaves_the_order_awaiting_payment_with_the_reason(localstripe):
    order, payment = _confirmed_payment(localstripe, ("CJ-ZZ-500G", 1), card="4000000000000341")
    assert payment.status == PaymentStatus.FAILED and payment.last_error
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    # the buyer retries with a good card: a new attempt
    retry = payment_start(order=order)
    assert retry.pk != payment.pk
    retried = payment_confirm_card(payment=retry, payment_method_id=localstripe.payment_method())
    assert payment_reconcile(payment=retried).status == PaymentStatus.SUCCEEDED
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_second_successful_payment_of_a_paid_order_is_refunded(client, localstripe):
    order, first = _confirmed_payment(localstripe, ("CJ-ZZ-500G", 1))
    second_intent = stripe_gateway.intent_create(
        amount_fen=order.total_fen, currency=order.currency, order_number=order.number, idempotency_key="dup-test"
    )
    second = Payment.objects.create(order=order, intent_id=second_intent.id, client_secret=second_intent.client_secret,
                                    amount_fen=order.total_fen, currency=order.currency)
    payment_confirm_card(payment=second, payment_method_id=localstripe.payment_method())
    _deliver(client, _event("payment_intent.succeeded", first))
    _deliver(client, _event("payment_intent.succeeded", second))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.refunded_fen == 0
    assert second.refunds.get().amount_fen == order.total_fen


def test_card_needing_3d_secure_waits_for_the_buyer(localstripe):
    _order, payment = _confirmed_payment(localstripe, ("CJ-ZZ-500G", 1), card="4000002760003184")
    assert payment.status == PaymentStatus.REQUIRES_ACTION


def test_paying_after_the_hold_expired_succeeds_when_stock_is_still_there(localstripe):
    order, payment = _confirmed_payment(localstripe, ("CJ-ZZ-GIFT", 2))
    from shop.models import StockReservation

    StockReservation.objects.filter(reference=order.number).update(expires_at=timezone.now())
    payment_reconcile(payment=payment)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert StockRecord.objects.get(sku="CJ-ZZ-GIFT").on_hand == 28


def test_paying_after_the_hold_expired_and_stock_went_elsewhere_refunds_automatically(localstripe, django_capture_on_commit_callbacks):
    order, payment = _confirmed_payment(localstripe, ("CJ-ZZ-GIFT", 2))
    from shop.models import StockReservation

    # The hold lapses unseen (expiry would ask Stripe and find the payment: see test_payment_reconcile).
    StockReservation.objects.filter(reference=order.number).update(expires_at=timezone.now())
    stock_reserve(quantities={"CJ-ZZ-GIFT": 30}, reference="FLASH-BUYER", expires_at=timezone.now() + timezone.timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):  # the refund is sent once recorded
        payment_reconcile(payment=payment)
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    refund = order.refunds.get()
    assert refund.stripe_refund_id and refund.amount_fen == order.total_fen
    # A late payment's refund, not a refund of goods: the refunded goods amount stays 0.
    assert refund.kind == RefundKind.LATE and order.refunded_fen == 0
    assert StockRecord.objects.get(sku="CJ-ZZ-GIFT").on_hand == 30  # never oversold


@pytest.mark.django_db(transaction=True)
def test_full_purchase_becomes_paid_through_the_webhook_stripe_sends(live_server, localstripe, demo_loaded):
    # given localstripe delivering its events to this site's webhook endpoint
    localstripe.register_webhook(f"{live_server.url}/stripe/webhook/", name="full-purchase")
    order, payment = _confirmed_payment(localstripe, ("CJ-ZZ-500G", 1))
    assert payment.status != PaymentStatus.SUCCEEDED  # the browser's word is not enough
    # when Stripe sends payment_intent.succeeded (about a second later)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        order.refresh_from_db()
        if order.status == OrderStatus.PAID:
            break
        time.sleep(0.2)
    # then the order is paid, through that event
    assert order.status == OrderStatus.PAID
    assert StripeEvent.objects.filter(type="payment_intent.succeeded").exists()
    assert order.events.get(to_status=OrderStatus.PAID).note == "payment_intent.succeeded"
