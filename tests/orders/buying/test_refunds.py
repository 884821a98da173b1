import pytest

from orders.buying.payments import payment_confirm_card, payment_reconcile, payment_start
from orders.buying.refunds import RefundError, refund_create, refunds_reconcile
from orders.models import OrderStatus, RefundStatus
from tests.orders.helpers import place

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
