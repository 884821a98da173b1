import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from orders.accounting.allocations import ledger_audit, line_holdings
from orders.buying import stripe_gateway
from orders.buying.payments import (
    order_mark_paid,
    payment_confirm_card,
    payment_reconcile,
    payment_start,
    stripe_event_handle,
)
from orders.buying.refunds import (
    LineRefund,
    RefundError,
    order_refundable,
    refund_apply,
    refund_create,
    refund_request,
    refund_send,
    refund_stripe_update,
    refunds_reconcile,
    refunds_send_requested,
)
from orders.models import Allocation, EntryType, OrderStatus, Payment, PaymentStatus, RefundKind, RefundStatus
from tests.orders.helpers import paid, place

pytestmark = pytest.mark.django_db


def _paid_order(localstripe, *items):
    order = place(*items)
    payment = payment_confirm_card(payment=payment_start(order=order), payment_method_id=localstripe.payment_method())
    payment_reconcile(payment=payment)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def test_partial_refunds_add_up_to_a_full_refund(localstripe, superuser):
    order = _paid_order(localstripe, ("CJ-ZZ-500G", 2))  # 2 × ¥68 + ¥25 cold chain = ¥161
    first = refund_create(order=order, amount_fen=6800, actor=superuser, reason="一份坏了")
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_REFUNDED and order.refunded_fen == 6800
    assert first.status == RefundStatus.SUCCEEDED and first.stripe_refund_id.startswith("re_")
    refund_create(order=order, amount_fen=order.refundable_fen, actor=superuser)
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and order.refunded_fen == order.total_fen == 16100
    assert [e.to_status for e in order.events.all()][-2:] == [OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED]


@pytest.mark.parametrize("amount", [0, -5, 16101])
def test_refund_outside_what_was_paid_is_refused(localstripe, amount):
    order = _paid_order(localstripe, ("CJ-ZZ-500G", 2))
    with pytest.raises(RefundError):
        refund_create(order=order, amount_fen=amount)
    order.refresh_from_db()
    assert order.refunded_fen == 0 and not order.refunds.exists()


def test_unpaid_order_cannot_be_refunded(localstripe):
    with pytest.raises(RefundError):
        refund_create(order=place(("CJ-ZZ-500G", 1)), amount_fen=100)


def test_charge_refunded_event_records_only_what_the_shop_did_not_know(localstripe):
    order = _paid_order(localstripe, ("CJ-ZZ-500G", 1))
    payment = order.payments.get()
    refund_create(order=order, amount_fen=1000)
    assert refunds_reconcile(payment=payment, amount_refunded_fen=1000) is None  # already known
    extra = refunds_reconcile(payment=payment, amount_refunded_fen=1500)  # 5 yuan refunded in Stripe
    order.refresh_from_db()
    assert extra.amount_fen == 500 and order.refunded_fen == 1500


# --- refunds per line -----------------------------------------------------------------------------


def _stripe_refunded_fen(order) -> int:
    """What Stripe (localstripe) has refunded on the order's payments, asked over HTTP."""
    import requests
    from django.conf import settings

    total = 0
    for payment in order.payments.filter(status=PaymentStatus.SUCCEEDED):
        response = requests.get(f"{settings.STRIPE_API_BASE}/v1/refunds", params={"payment_intent": payment.intent_id},
                                auth=(settings.STRIPE_SECRET_KEY, ""), timeout=10)
        total += sum(refund["amount"] for refund in response.json()["data"])
    return total


def _assert_no_positive_reversal(order) -> None:
    assert not Allocation.objects.filter(line__order=order, entry_type=EntryType.REVERSAL, amount_fen__gt=0).exists()


def test_nine_then_five_fen_of_a_128_yuan_line_are_both_refunded_and_booked(localstripe):
    # 龙谷 tea ¥128.00: re-splitting the running total by the original allocations moved the
    # platform up by a fen on the second step, the database refused it after Stripe had paid.
    order = paid(localstripe, ("LG-CHA-100G", 1))
    line = order.lines.get()
    assert line.line_total_fen == 12800
    first = refund_create(order=order, lines=[LineRefund(line_id=line.pk, amount_fen=9)])
    second = refund_create(order=order, lines=[LineRefund(line_id=line.pk, amount_fen=5)])
    order.refresh_from_db()
    assert first.status == second.status == RefundStatus.SUCCEEDED
    assert order.refunded_fen == 14 == _stripe_refunded_fen(order)
    assert sum(a.amount_fen for a in second.allocations.all()) == -5
    _assert_no_positive_reversal(order)
    assert sum(line_holdings(line=line).values()) == 12800 - 14
    assert ledger_audit() == []


def test_an_order_refund_of_117_then_1_fen_spread_over_lines_books_both(localstripe):
    order = paid(localstripe, ("CJ-ZZ-500G", 1), ("CJ-ZC-100G", 1))
    refund_create(order=order, amount_fen=117)
    refund_create(order=order, amount_fen=1)
    order.refresh_from_db()
    assert order.refunded_fen == 118 == _stripe_refunded_fen(order)
    _assert_no_positive_reversal(order)
    assert ledger_audit() == []


def test_refunding_one_item_leaves_other_lines_and_cooperatives_untouched(localstripe):
    order = paid(localstripe, ("CJ-ZZ-500G", 2), ("SM-HS-250G", 3), ("CJ-ZC-100G", 1))
    clams, peanuts, tea = (order.lines.get(sku=sku) for sku in ("CJ-ZZ-500G", "SM-HS-250G", "CJ-ZC-100G"))
    before = {line.pk: line_holdings(line=line) for line in (peanuts, tea)}
    refund = refund_create(order=order, lines=[LineRefund(line_id=clams.pk, quantity=1)], reason="一只坏了")
    assert [(part.line_id, part.quantity, part.amount_fen) for part in refund.lines.all()] == [(clams.pk, 1, 6800)]
    assert {a.line_id for a in refund.allocations.all()} == {clams.pk}
    assert {line.pk: line_holdings(line=line) for line in (peanuts, tea)} == before
    assert sum(line_holdings(line=clams).values()) == 6800
    refundable = order_refundable(order=order)
    assert [(r.line.sku, r.amount_fen, r.quantity) for r in refundable.lines] == [
        ("CJ-ZZ-500G", 6800, 1), ("SM-HS-250G", 8400, 3), ("CJ-ZC-100G", 2600, 1)]
    assert ledger_audit() == []


def test_the_last_unit_refunded_reverses_the_line_exactly(localstripe):
    order = paid(localstripe, ("SM-HS-250G", 3))
    line = order.lines.get()
    earned = line_holdings(line=line)
    for _ in range(3):
        refund_create(order=order, lines=[LineRefund(line_id=line.pk, quantity=1)])
    assert line_holdings(line=line) == dict.fromkeys(earned, 0)
    reversed_ = {}
    for a in line.allocations.filter(entry_type=EntryType.REVERSAL):
        key = f"village:{a.village_id}" if a.village_id else a.recipient_type
        reversed_[key] = reversed_.get(key, 0) - a.amount_fen
    assert reversed_ == {key: amount for key, amount in earned.items() if amount}
    with pytest.raises(RefundError):
        refund_create(order=order, lines=[LineRefund(line_id=line.pk, quantity=1)])


def test_a_delivery_fee_refund_reverses_nothing(localstripe):
    order = paid(localstripe, ("CJ-ZZ-500G", 1))
    refund = refund_create(order=order, delivery_fee_fen=2500)
    order.refresh_from_db()
    assert order.refunded_fen == 2500 and not refund.allocations.exists() and ledger_audit() == []


@pytest.mark.parametrize("request_kwargs", [
    {"lines": [LineRefund(line_id=999_999, amount_fen=1)]},
    {"lines": [LineRefund(line_id=0, amount_fen=-5)]},
    {"delivery_fee_fen": 2501},
    {},
])
def test_unknown_lines_negative_amounts_and_over_refunds_are_refused(localstripe, request_kwargs):
    order = paid(localstripe, ("CJ-ZZ-500G", 1))
    kwargs = dict(request_kwargs)
    kwargs["lines"] = [LineRefund(line_id=r.line_id or order.lines.get().pk, amount_fen=r.amount_fen) for r in kwargs.get("lines", [])]
    with pytest.raises(RefundError):
        refund_request(order=order, **kwargs)
    assert not order.refunds.exists()


def test_a_line_of_another_order_is_refused(localstripe):
    order, other = paid(localstripe, ("CJ-ZZ-500G", 1)), paid(localstripe, ("CJ-ZZ-500G", 1))
    with pytest.raises(RefundError) as refused:
        refund_request(order=order, lines=[LineRefund(line_id=other.lines.get().pk, amount_fen=100)])
    assert "lines[0]" in refused.value.fields


def test_stripe_is_never_called_inside_a_transaction(localstripe):
    order = paid(localstripe, ("CJ-ZZ-500G", 1))
    with pytest.raises(RuntimeError), transaction.atomic():
        refund_create(order=order, amount_fen=100)


def test_a_retry_reuses_the_key_and_nothing_is_booked_twice(localstripe, monkeypatch):
    order = paid(localstripe, ("CJ-ZZ-500G", 1))
    line = order.lines.get()
    refund = refund_request(order=order, lines=[LineRefund(line_id=line.pk, amount_fen=1000)])
    assert refund.status == RefundStatus.REQUESTED and refund.idempotency_key.startswith(f"refund-{order.number}-")
    keys, real_create = [], stripe_gateway.refund_create

    def unreachable(**kwargs):
        keys.append(kwargs["idempotency_key"])
        raise stripe_gateway.PaymentGatewayError("Could not connect to Stripe.")

    monkeypatch.setattr(stripe_gateway, "refund_create", unreachable)
    with pytest.raises(stripe_gateway.PaymentGatewayError):
        refund_send(refund=refund)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.REQUESTED and refund.last_error and not refund.allocations.exists()
    # still counted as taken, so the same fen cannot be requested again meanwhile
    assert order_refundable(order=order).lines[0].amount_fen == 6800 - 1000

    def recorded(**kwargs):
        keys.append(kwargs["idempotency_key"])
        return real_create(**kwargs)

    monkeypatch.setattr(stripe_gateway, "refund_create", recorded)
    refund_send(refund=refund)
    refund_send(refund=refund)  # already sent: Stripe is not asked again
    assert refunds_send_requested(older_than=datetime.timedelta(0)) == 0
    refund.refresh_from_db()
    assert keys == [refund.idempotency_key] * 2
    booked = refund.allocations.count()
    # the same answer again (a webhook after the API reply) changes nothing
    refund_apply(refund=refund, stripe_status="succeeded", stripe_refund_id=refund.stripe_refund_id)
    refund_stripe_update(stripe_refund={"id": refund.stripe_refund_id, "status": "succeeded", "amount": 1000})
    order.refresh_from_db()
    assert refund.allocations.count() == booked and order.refunded_fen == 1000
    assert order.events.filter(to_status=OrderStatus.PARTIALLY_REFUNDED).count() == 1
    assert _stripe_refunded_fen(order) == 1000 and ledger_audit() == []


def test_a_refund_stripe_reports_failed_is_reversed_out_of_the_ledger(localstripe, client, superuser):
    order = paid(localstripe, ("CJ-ZZ-500G", 2), ("SM-HS-250G", 1))
    clams = order.lines.get(sku="CJ-ZZ-500G")
    earned = line_holdings(line=clams)
    refund = refund_create(order=order, lines=[LineRefund(line_id=clams.pk, quantity=2)])
    order.refresh_from_db()
    assert order.refunded_fen == 13600 and order.status == OrderStatus.PARTIALLY_REFUNDED
    reversals = list(refund.allocations.values_list("pk", "amount_fen"))
    for _ in range(2):  # the webhook delivered twice
        refund_stripe_update(stripe_refund={"id": refund.stripe_refund_id, "status": "failed", "failure_reason": "expired_or_canceled_card"})
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.FAILED and refund.last_error == "expired_or_canceled_card"
    assert line_holdings(line=clams) == earned and order.refunded_fen == 0 and order.status == OrderStatus.PAID
    # the reversals stand as they were; the correction is new entries
    assert list(refund.allocations.filter(entry_type=EntryType.REVERSAL).values_list("pk", "amount_fen")) == reversals
    assert refund.allocations.filter(entry_type=EntryType.EARNING).count() == len(reversals)
    assert ledger_audit() == []
    # the line can be refunded again, and the staff page shows the failure
    assert order_refundable(order=order).lines[0].amount_fen == 13600
    client.force_login(superuser)
    html = client.get(reverse("orders_order:edit", args=[order.pk])).content.decode()
    assert "refund-failed" in html and "expired_or_canceled_card" in html


def test_a_duplicate_payment_refund_is_not_a_goods_refund_and_does_not_block_one(localstripe, django_capture_on_commit_callbacks):
    order = paid(localstripe, ("CJ-ZZ-500G", 1))
    intent = stripe_gateway.intent_create(amount_fen=order.total_fen, currency=order.currency, order_number=order.number, idempotency_key=f"dup-{order.number}")
    second = Payment.objects.create(order=order, intent_id=intent.id, client_secret=intent.client_secret, amount_fen=order.total_fen, currency=order.currency)
    payment_confirm_card(payment=second, payment_method_id=localstripe.payment_method())
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_paid(payment=second, note="payment_intent.succeeded")
    order_mark_paid(payment=second, note="payment_intent.succeeded")  # replayed: nothing more
    duplicate = second.refunds.get()
    assert (duplicate.kind, duplicate.status, duplicate.amount_fen) == (RefundKind.DUPLICATE, RefundStatus.SUCCEEDED, order.total_fen)
    assert duplicate.idempotency_key == f"refund-{second.intent_id}-duplicate"
    order.refresh_from_db()
    assert order.refunded_fen == 0 and order.status == OrderStatus.PAID and not duplicate.allocations.exists()
    assert ledger_audit() == []
    # a real refund afterwards goes to the payment that paid, and books
    refund = refund_create(order=order, lines=[LineRefund(line_id=order.lines.get().pk, amount_fen=1000)])
    order.refresh_from_db()
    assert refund.payment != second and refund.status == RefundStatus.SUCCEEDED and order.refunded_fen == 1000
    assert _stripe_refunded_fen(order) == order.total_fen + 1000
    assert ledger_audit() == []


def test_a_refund_made_in_the_stripe_dashboard_is_spread_over_what_remains(localstripe):
    order = paid(localstripe, ("CJ-ZZ-500G", 1), ("SM-HS-250G", 1))
    clams = order.lines.get(sku="CJ-ZZ-500G")
    refund_create(order=order, lines=[LineRefund(line_id=clams.pk, amount_fen=6800)])
    payment = order.payments.get()
    extra = refunds_reconcile(payment=payment, amount_refunded_fen=6800 + 1000)
    assert extra.kind == RefundKind.GOODS and extra.amount_fen == 1000
    # nothing of the clams is left, so the 1000 fen come from the peanuts and the delivery fee
    assert clams.pk not in {part.line_id for part in extra.lines.all()}
    assert sum(part.amount_fen for part in extra.lines.all()) + extra.delivery_fee_fen == 1000
    assert refunds_reconcile(payment=payment, amount_refunded_fen=7800) is None
    assert ledger_audit() == []


def test_existing_refunds_get_lines_by_the_spread_they_were_booked_with(localstripe):
    import importlib

    from django.apps import apps

    from orders.models import Refund

    migration = importlib.import_module("orders.migrations.0008_refund_lines")
    order = paid(localstripe, ("CJ-ZZ-500G", 1), ("SM-HS-250G", 1))
    payment = order.payments.get()
    whole = Refund.objects.create(order=order, payment=payment, amount_fen=order.total_fen, status=RefundStatus.SUCCEEDED)
    twice = Payment.objects.create(order=order, intent_id="pi_paid_twice", client_secret="x", amount_fen=order.total_fen,
                                   currency=order.currency, status=PaymentStatus.SUCCEEDED)
    duplicate = Refund.objects.create(order=order, payment=twice, amount_fen=order.total_fen, status=RefundStatus.SUCCEEDED)
    migration.refunds_give_lines(apps, None)
    whole.refresh_from_db()
    duplicate.refresh_from_db()
    assert (whole.kind, whole.idempotency_key) == (RefundKind.GOODS, f"refund-{order.number}-{whole.pk}")
    assert {part.line_id: part.amount_fen for part in whole.lines.all()} == {line.pk: line.line_total_fen for line in order.lines.all()}
    assert whole.delivery_fee_fen == order.shipping_fen
    assert (duplicate.kind, duplicate.idempotency_key) == (RefundKind.DUPLICATE, "refund-pi_paid_twice-duplicate")
    assert not duplicate.lines.exists()


def test_stripes_refund_updated_webhook_reinstates_a_refund_that_failed(localstripe):
    order = paid(localstripe, ("CJ-ZZ-500G", 2))
    clams = order.lines.get()
    earned = line_holdings(line=clams)
    refund = refund_create(order=order, lines=[LineRefund(line_id=clams.pk, quantity=1)])
    event = {"id": f"evt_refund_failed_{refund.pk}", "type": "refund.updated", "data": {"object": {
        "id": refund.stripe_refund_id, "status": "failed", "failure_reason": "lost_or_stolen_card",
        "payment_intent": refund.payment.intent_id, "amount": refund.amount_fen,
    }}}
    assert stripe_event_handle(event=event) == "handled"
    assert stripe_event_handle(event=event) == "duplicate"
    refund.refresh_from_db()
    assert refund.status == RefundStatus.FAILED and line_holdings(line=clams) == earned
    assert ledger_audit() == []
