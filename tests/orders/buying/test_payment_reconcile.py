"""Stripe is asked outside transactions, and what it says wins: lost webhooks, expiry and the
reconcile job, retries after a crash, concurrent starts, and a slow Stripe beside other shoppers.

Tests that need a Stripe in a given state (processing, refusing, slow) use FakeStripe, a stand-in
at the network boundary (stripe_gateway's functions); the rest run against localstripe.
"""

import datetime
import itertools
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from orders.buying import stripe_gateway
from orders.buying.expiry import order_cancel, orders_expire_unpaid
from orders.buying.payments import payment_confirm_card, payment_reconcile, payment_start, payments_reconcile_pending
from orders.models import Order, OrderStatus, Payment, PaymentStatus, Refund, RefundKind, RefundStatus
from shop.inventory import stock_receive, stock_reserve
from shop.models import StockRecord, StockReservation
from shop.selectors import stock_available
from tests.orders.helpers import place
from tests.stripe_fixtures import GATEWAY_CALLS, outside_transactions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_outside_transactions")]


def _later(minutes: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def _lapse_hold(order: Order) -> None:
    StockReservation.objects.filter(reference=order.number).update(expires_at=timezone.now())


class FakeStripe:
    """Intents in memory, idempotency keys honoured as Stripe does, every call counted.

    stall(name) makes the next call of that name wait (as a slow network would) until
    release(); `entered` is set once it is waiting.
    """

    def __init__(self):
        self.intents: dict[str, stripe_gateway.Intent] = {}
        self.by_key: dict[str, str] = {}
        self.calls: list[str] = []
        self.numbers = itertools.count(1)
        self.stalled = ""
        self.entered = threading.Event()
        self.released = threading.Event()
        self.unreachable_once = ""

    def stall(self, name: str) -> None:
        self.stalled = name

    def release(self) -> None:
        self.released.set()

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.stalled == name:
            self.entered.set()
            assert self.released.wait(30), "the stalled call was never released"

    def _lost_answer(self, name: str) -> None:
        if self.unreachable_once == name:
            self.unreachable_once = ""
            raise stripe_gateway.GatewayUnreachable("Read timed out.")

    def set_status(self, intent_id: str, status: str) -> None:
        intent = self.intents[intent_id]
        self.intents[intent_id] = stripe_gateway.Intent(
            id=intent.id, status=status, client_secret=intent.client_secret, amount_fen=intent.amount_fen,
            currency=intent.currency,
        )

    def intent_create(self, *, amount_fen: int, currency: str, order_number: str, idempotency_key: str):
        self._call("intent_create")
        if idempotency_key not in self.by_key:
            intent_id = f"pi_fake{next(self.numbers)}"
            self.intents[intent_id] = stripe_gateway.Intent(
                id=intent_id, status="requires_payment_method", client_secret=f"{intent_id}_secret_x",
                amount_fen=amount_fen, currency=currency.upper(),
            )
            self.by_key[idempotency_key] = intent_id
        self._lost_answer("intent_create")  # Stripe made it; the answer never came back
        return self.intents[self.by_key[idempotency_key]]

    def intent_retrieve(self, intent_id: str):
        self._call("intent_retrieve")
        return self.intents[intent_id]

    def intent_cancel(self, intent_id: str):
        self._call("intent_cancel")
        status = self.intents[intent_id].status
        if status in {"succeeded", "processing"}:
            raise stripe_gateway.PaymentGatewayError(f"You cannot cancel this PaymentIntent: it is {status}.")
        self.set_status(intent_id, "canceled")
        return self.intents[intent_id]

    def refund_create(self, *, intent_id: str, amount_fen: int, idempotency_key: str):
        self._call("refund_create")
        self._lost_answer("refund_create")
        return stripe_gateway.RefundResult(id=f"re_fake{next(self.numbers)}", status="succeeded", amount_fen=amount_fen)


@pytest.fixture
def fake_stripe(monkeypatch, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    fake = FakeStripe()
    for name in GATEWAY_CALLS:
        if hasattr(fake, name):
            monkeypatch.setattr(stripe_gateway, name, outside_transactions(name, getattr(fake, name)))
    yield fake
    fake.release()


def _paid_at_stripe(localstripe, order: Order) -> Payment:
    """The buyer paid, Stripe took the money, and then the server died: no webhook arrives."""
    payment = payment_confirm_card(payment=payment_start(order=order), payment_method_id=localstripe.payment_method())
    assert payment.status != PaymentStatus.SUCCEEDED
    return payment


# --- the missed webhook ---------------------------------------------------------------------------


def test_expiry_marks_the_order_paid_when_stripe_took_the_money_but_the_webhook_was_lost(localstripe):
    # given a payment that succeeded at Stripe while the server was down, and a lapsed hold
    order = place(("CJ-ZZ-GIFT", 2))
    payment = _paid_at_stripe(localstripe, order)
    # when the expiry job runs past the hold
    assert orders_expire_unpaid(now=_later(20)) == 0
    # then the order is paid and its units sold, never expired with the customer charged
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID and payment.status == PaymentStatus.SUCCEEDED
    assert StockRecord.objects.get(sku="CJ-ZZ-GIFT").on_hand == 28
    assert not order.events.filter(to_status=OrderStatus.EXPIRED).exists()


def test_expiry_refunds_a_lost_payment_as_late_when_its_units_went_elsewhere(localstripe, django_capture_on_commit_callbacks):
    order = place(("CJ-ZZ-GIFT", 2))
    payment = _paid_at_stripe(localstripe, order)
    _lapse_hold(order)
    stock_reserve(quantities={"CJ-ZZ-GIFT": 30}, reference="FLASH-BUYER", expires_at=_later(10))
    with django_capture_on_commit_callbacks(execute=True):  # the refund is sent once recorded
        orders_expire_unpaid(now=_later(20))
    order.refresh_from_db()
    # The whole payment goes back as a late payment's refund: not a refund of goods, so the
    # order's refunded goods amount stays 0 and no allocation moves.
    refund = payment.refunds.get()
    assert order.status == OrderStatus.REFUNDED and (refund.kind, refund.amount_fen) == (RefundKind.LATE, order.total_fen)
    assert refund.stripe_refund_id and order.refunded_fen == 0
    assert StockRecord.objects.get(sku="CJ-ZZ-GIFT").on_hand == 30  # never oversold


def test_reconcile_job_pays_an_order_whose_webhook_never_came(localstripe):
    order = place(("CJ-ZZ-500G", 1))
    _paid_at_stripe(localstripe, order)
    assert payments_reconcile_pending(now=_later(1)) == 0  # too recent: the webhook may still come
    assert payments_reconcile_pending(now=_later(11)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.events.get(to_status=OrderStatus.PAID).note == "reconciled"
    assert payments_reconcile_pending(now=_later(11)) == 0  # settled: not read again


def test_reconcile_job_is_a_thin_task_scheduled_every_few_minutes():
    from config.celery import app
    from orders.buying.payment_tasks import payments_reconcile_pending as task

    schedules = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert task.name == "orders.buying.payment_tasks.payments_reconcile_pending"
    assert schedules[task.name] <= 10 * 60
    assert schedules["orders.buying.payment_tasks.orders_expire_unpaid"] <= 60


# --- expiry asks Stripe first ----------------------------------------------------------------------


def test_expiry_cancels_the_intents_then_expires_once(fake_stripe):
    order = place(("CJ-ZZ-GIFT", 3))
    payment = payment_start(order=order)
    assert orders_expire_unpaid(now=_later(16)) == 1
    assert orders_expire_unpaid(now=_later(16)) == 0
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED and payment.status == PaymentStatus.CANCELED
    assert fake_stripe.intents[payment.intent_id].status == "canceled"
    assert fake_stripe.calls.index("intent_cancel") > fake_stripe.calls.index("intent_retrieve")
    assert stock_available(skus=["CJ-ZZ-GIFT"]) == {"CJ-ZZ-GIFT": 30}


@pytest.mark.parametrize("in_progress", ["processing", "requires_action"])
def test_expiry_waits_for_a_payment_in_progress_until_the_grace_period_ends(fake_stripe, settings, in_progress):
    settings.PAYMENT_EXPIRY_GRACE_MINUTES = 60
    order = place(("CJ-ZZ-GIFT", 1))
    payment = payment_start(order=order)
    fake_stripe.set_status(payment.intent_id, in_progress)
    # within the grace period the order waits, its intent untouched
    assert orders_expire_unpaid(now=_later(30)) == 0
    assert "intent_cancel" not in fake_stripe.calls
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    # after it, the order expires only once Stripe has cancelled the intent
    expired = orders_expire_unpaid(now=_later(80))
    order.refresh_from_db()
    if in_progress == "processing":  # Stripe will not cancel it: still nothing decided
        assert expired == 0 and order.status == OrderStatus.PENDING_PAYMENT
        fake_stripe.set_status(payment.intent_id, "requires_payment_method")  # the bank said no
        expired = orders_expire_unpaid(now=_later(80))
        order.refresh_from_db()
    assert expired == 1 and order.status == OrderStatus.EXPIRED
    assert fake_stripe.intents[payment.intent_id].status == "canceled"


def test_expiry_leaves_the_order_for_later_when_stripe_cannot_be_asked(fake_stripe, monkeypatch):
    order = place(("CJ-ZZ-GIFT", 1))
    payment_start(order=order)

    def unreachable(intent_id):
        raise stripe_gateway.GatewayUnreachable("Connection refused")

    monkeypatch.setattr(stripe_gateway, "intent_retrieve", unreachable)
    assert orders_expire_unpaid(now=_later(20)) == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_cancel_commits_first_then_a_payment_that_succeeded_meanwhile_is_applied(fake_stripe):
    order = place(("CJ-ZZ-GIFT", 1))
    payment = payment_start(order=order)
    fake_stripe.set_status(payment.intent_id, "succeeded")  # paid a moment before the click
    order_cancel(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID  # the units were still free: the money buys them
    assert order.events.filter(to_status=OrderStatus.CANCELLED).exists()


# --- the reconcile job -----------------------------------------------------------------------------


def test_reconcile_job_cancels_an_open_intent_of_an_order_that_no_longer_awaits_payment(fake_stripe):
    order = place(("CJ-ZZ-GIFT", 1))
    payment = payment_start(order=order)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)  # its cancel never reached Stripe
    assert payments_reconcile_pending(now=_later(11)) == 1
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED
    assert fake_stripe.intents[payment.intent_id].status == "canceled"


def test_reconcile_job_sends_again_a_refund_stripe_could_not_take_at_the_time(fake_stripe, django_capture_on_commit_callbacks):
    # given a paid order, and a second payment of it that succeeded while the refund could not be sent
    order = place(("CJ-ZZ-GIFT", 1))
    first = payment_start(order=order)
    fake_stripe.set_status(first.intent_id, "succeeded")
    payment_reconcile(payment=first)
    second_intent = fake_stripe.intent_create(amount_fen=order.total_fen, currency="CNY", order_number=order.number,
                                              idempotency_key="second")
    second = Payment.objects.create(order=order, intent_id=second_intent.id, amount_fen=order.total_fen, currency="CNY")
    fake_stripe.set_status(second.intent_id, "succeeded")
    fake_stripe.unreachable_once = "refund_create"
    with django_capture_on_commit_callbacks(execute=True):
        payment_reconcile(payment=second)  # the refund is recorded, and sent after the commit in vain
    assert not Refund.objects.filter(stripe_refund_id__isnull=False).exists()
    assert second.refunds.get().status == RefundStatus.REQUESTED
    # when the job runs
    with django_capture_on_commit_callbacks(execute=True):
        payments_reconcile_pending(now=_later(11))
    # then the duplicate is refunded once, and the first payment keeps paying for the order
    refund = second.refunds.get()
    assert refund.stripe_refund_id and refund.amount_fen == order.total_fen
    assert not first.refunds.exists()
    payments_reconcile_pending(now=_later(12))
    assert fake_stripe.calls.count("refund_create") == 2  # the lost one and the one that worked
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.refunded_fen == 0


# --- record, commit, send, apply ------------------------------------------------------------------


def test_payment_start_after_a_lost_answer_reuses_the_key_and_finds_the_same_intent(fake_stripe):
    order = place(("CJ-ZZ-GIFT", 1))
    fake_stripe.unreachable_once = "intent_create"
    with pytest.raises(stripe_gateway.GatewayUnreachable):
        payment_start(order=order)
    recorded = order.payments.get()
    assert recorded.status == PaymentStatus.REQUESTED and recorded.intent_id is None
    Payment.objects.filter(pk=recorded.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=1))
    payment = payment_start(order=order)
    assert payment.pk == recorded.pk and payment.idempotency_key == recorded.idempotency_key
    assert payment.intent_id == fake_stripe.by_key[recorded.idempotency_key]
    assert len(fake_stripe.intents) == 1 and payment.status == PaymentStatus.CREATED


def _start_failing_with(monkeypatch, order: Order, error: Exception) -> None:
    """payment_start while Stripe's create fails with `error`, without creating anything."""
    create = stripe_gateway.intent_create

    def failing(**kwargs):
        raise error

    monkeypatch.setattr(stripe_gateway, "intent_create", failing)
    with pytest.raises(type(error)):
        payment_start(order=order)
    monkeypatch.setattr(stripe_gateway, "intent_create", create)


def test_reconcile_job_sends_a_payment_recorded_before_a_crash_with_its_own_key(fake_stripe, monkeypatch):
    # given a payment recorded and committed, and the process gone before Stripe was asked
    order = place(("CJ-ZZ-GIFT", 1))
    _start_failing_with(monkeypatch, order, stripe_gateway.GatewayUnreachable("Connection refused"))
    # when the job runs
    assert payments_reconcile_pending(now=_later(11)) == 1
    # then the intent is made with the key fixed when the payment was recorded
    payment = order.payments.get()
    assert payment.intent_id == fake_stripe.by_key[payment.idempotency_key]
    assert payment.status == PaymentStatus.CREATED and payment.client_secret


def test_a_refused_create_leaves_the_attempt_failed_and_the_next_one_gets_a_new_key(fake_stripe, monkeypatch):
    order = place(("CJ-ZZ-GIFT", 1))
    _start_failing_with(monkeypatch, order, stripe_gateway.PaymentGatewayError("Invalid currency"))
    payment = payment_start(order=order)
    failed = order.payments.get(status=PaymentStatus.FAILED)
    assert failed.last_error == "Invalid currency" and failed.idempotency_key != payment.idempotency_key
    assert orders_expire_unpaid(now=_later(20)) == 1  # a create Stripe refused has nothing to cancel


def test_pay_page_records_nothing_when_payments_are_not_configured(settings):
    settings.STRIPE_SECRET_KEY = ""
    order = place(("CJ-ZZ-GIFT", 1))
    with pytest.raises(stripe_gateway.PaymentGatewayError):
        payment_start(order=order)
    assert not order.payments.exists()


def test_the_guard_fails_a_stripe_call_made_inside_a_transaction(fake_stripe):
    with pytest.raises(AssertionError, match="inside a database transaction"), transaction.atomic():
        stripe_gateway.intent_retrieve("pi_anything")


# --- concurrency on the SQLite file database -----------------------------------------------------


def _bare_order(number: str) -> Order:
    return Order.objects.create(
        number=number, phone="13800138000", shipping_method="standard", subtotal_fen=5000, shipping_fen=0,
        total_fen=5000, reserved_until=_later(15),
    )


def _in_thread(target, *args) -> tuple[threading.Thread, dict]:
    outcome = {}

    def run():
        try:
            outcome["result"] = target(*args)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _another_shopper_checks_out() -> None:
    stock_reserve(quantities={"OTHER-SKU": 1}, reference="OTHER-BUYER", expires_at=_later(15))


def _start(order):
    return payment_start(order=order)


def _cancel(order):
    payment_start(order=order)
    return order_cancel(order=order)


def _expire(order):
    payment_start(order=order)
    return orders_expire_unpaid(now=_later(20))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("operation", "slow_call"), [
    (_start, "intent_create"), (_cancel, "intent_cancel"), (_expire, "intent_retrieve"),
])
def test_a_slow_stripe_call_does_not_block_other_shoppers_writes(fake_stripe, operation, slow_call):
    if connection.vendor != "sqlite":
        pytest.skip("the database-wide write lock is SQLite's; PostgreSQL locks rows")
    # given one buyer's payment operation waiting on a slow Stripe
    stock_receive(sku="OTHER-SKU", quantity=5)
    order = _bare_order("LJ20261129-SLOW01")
    fake_stripe.stall(slow_call)
    buyer, buyer_outcome = _in_thread(operation, order)
    assert fake_stripe.entered.wait(10), buyer_outcome
    # when another shopper checks out meanwhile
    shopper, shopper_outcome = _in_thread(_another_shopper_checks_out)
    shopper.join(timeout=5)
    finished_while_stripe_was_slow = not shopper.is_alive()
    fake_stripe.release()
    buyer.join(timeout=30)
    shopper.join(timeout=30)
    # then their write went through before Stripe answered
    assert finished_while_stripe_was_slow, "another shopper's write waited for Stripe"
    assert "error" not in shopper_outcome and "error" not in buyer_outcome, (shopper_outcome, buyer_outcome)
    assert StockReservation.objects.filter(reference="OTHER-BUYER").exists()


@pytest.mark.django_db(transaction=True)
def test_two_payment_starts_at_once_share_one_payment_and_one_intent(fake_stripe):
    order = _bare_order("LJ20261129-TWICE1")
    fake_stripe.stall("intent_create")
    first, first_outcome = _in_thread(_start, order)
    assert fake_stripe.entered.wait(10), first_outcome
    fake_stripe.stalled = ""  # the second request's own send, if it comes to that, is not slow
    second, second_outcome = _in_thread(_start, order)
    threading.Timer(0.5, fake_stripe.release).start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert "error" not in first_outcome and "error" not in second_outcome, (first_outcome, second_outcome)
    one, other = first_outcome["result"], second_outcome["result"]
    assert one.pk == other.pk and one.intent_id == other.intent_id is not None
    assert Payment.objects.filter(order=order).count() == 1
    assert len(fake_stripe.intents) == 1
