"""Several months of invented sales for the demo, so the ledger, statements and dashboard
have something to show: delivered orders with their allocations, a few units returned and
refunded by line, recorded work, closed months with their labour distribution, and payouts to
villages that never exceed what each village holds at the end of the month.

Deterministic (a seeded generator) and idempotent: it runs only when no demo order exists.
Past sales do not touch today's stock: they were sold before the opening stock was counted.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from orders.accounting.allocations import allocations_book_for_order, allocations_reverse_for_refund, period_month_for
from orders.accounting.months import REPORTING_TZ, month_add, month_first, month_next
from orders.accounting.periods import period_close, period_submit_for_review
from orders.accounting.statements import Recipient, payout_record, payouts_available_fen
from orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    PayoutRecipient,
    Refund,
    RefundKind,
    RefundLine,
    RefundStatus,
    SettlementPeriod,
    ShippingMethod,
    WorkRecord,
)
from shop.models import Participant, ProductPage, ProductVariant

MONTHS = 6
ORDERS_PER_MONTH = 36
DEMO_PREFIX = "DEMO"
RETURN_SHARE = 0.05  # about one order in twenty has a unit returned
BUYERS = [("王", "13800000101"), ("李", "13800000102"), ("张", "13800000103"), ("刘", "13800000104"),
          ("陈", "13800000105"), ("杨", "13800000106"), ("赵", "13800000107"), ("周", "13800000108")]


def _order(rng: random.Random, number: str, paid_at: datetime.datetime, variants: list[ProductVariant]) -> Order:
    surname, phone = rng.choice(BUYERS)
    chosen = rng.sample(variants, k=rng.randint(1, 3))
    lines = [(v, rng.randint(1, 3)) for v in chosen]
    subtotal = sum(v.price_fen * q for v, q in lines)
    profiles = {v.page.shipping_profile for v, _ in lines}
    method = ShippingMethod.COLD_CHAIN if "chilled" in profiles else ShippingMethod.NONE if profiles == {"service"} else ShippingMethod.STANDARD
    shipping = {ShippingMethod.COLD_CHAIN: 2500, ShippingMethod.NONE: 0}.get(method, 0 if subtotal >= 9900 else 1000)
    order = Order.objects.create(
        number=number, phone=phone, recipient=f"{surname}先生", province="浙江省", city="宁波市", district="海曙区",
        address_detail="演示路 1 号", shipping_method=method, subtotal_fen=subtotal, shipping_fen=shipping,
        total_fen=subtotal + shipping, currency="CNY", status=OrderStatus.DELIVERED, reserved_until=paid_at,
        paid_at=paid_at,
    )
    Order.objects.filter(pk=order.pk).update(placed_at=paid_at)
    OrderLine.objects.bulk_create(
        OrderLine(order=order, product=v.page, cooperative_id=v.page.cooperative_id, sku=v.sku, product_title=v.page.title,
                  variant_label=v.label, unit_price_fen=v.price_fen, quantity=q, line_total_fen=v.price_fen * q)
        for v, q in lines
    )
    OrderEvent.objects.create(order=order, from_status="", to_status=OrderStatus.DELIVERED, note="演示数据")
    allocations_book_for_order(order=order, at=paid_at)
    return order


@transaction.atomic
def _returned(rng: random.Random, order: Order, number: int) -> None:
    """One unit of one line of a delivered order, returned the next day and refunded by line.

    Booked as the refund path books it once Stripe has accepted (the demo's orders were never
    at Stripe): a succeeded payment, a goods refund naming the line, its reversals split over
    what each recipient still held of the line.
    """
    line = rng.choice(list(order.lines.all()))
    at = order.paid_at + datetime.timedelta(days=1)
    payment = Payment.objects.create(
        order=order, intent_id=f"pi_demo_{order.number}", idempotency_key=f"demo-{order.number}", amount_fen=order.total_fen,
        currency=order.currency, status=PaymentStatus.SUCCEEDED, succeeded_at=order.paid_at,
    )
    refund = Refund.objects.create(
        order=order, payment=payment, kind=RefundKind.GOODS, amount_fen=line.unit_price_fen, status=RefundStatus.SUCCEEDED,
        idempotency_key=f"refund-demo-{number}", stripe_refund_id=f"re_demo_{number}", reason="演示：退回一件",
    )
    RefundLine.objects.create(refund=refund, line=line, amount_fen=line.unit_price_fen, quantity=1)
    allocations_reverse_for_refund(refund=refund, at=at)
    order.refunded_fen = line.unit_price_fen
    order.status = OrderStatus.PARTIALLY_REFUNDED
    order.save(update_fields=["refunded_fen", "status"])
    OrderEvent.objects.create(order=order, from_status=OrderStatus.DELIVERED, to_status=OrderStatus.PARTIALLY_REFUNDED,
                              note=refund.reason)


def demo_activity_load(*, admin, today: datetime.date | None = None, progress=lambda message: None) -> int:
    """Create the demo's past months of sales once; returns how many orders were made."""
    if Order.objects.filter(number__startswith=DEMO_PREFIX).exists():
        return 0
    rng = random.Random(20261129)
    returns = random.Random(20261130)  # its own stream: the sales stay as they were without returns
    today = today or timezone.localdate()
    variants = list(
        ProductVariant.objects.select_related("page").filter(page__live=True, is_active=True).order_by("sku")
    )
    if not variants:
        return 0
    made = 0
    first_month = month_add(month_first(today), -MONTHS)
    for offset in range(MONTHS, 0, -1):
        month = month_add(month_first(today), -offset)
        # Sales grow month by month, as the alliance's own reports like to show.
        count = ORDERS_PER_MONTH + (MONTHS - offset) * 6
        for n in range(count):
            day = rng.randint(1, 27)
            paid_at = datetime.datetime(month.year, month.month, day, rng.randint(8, 21), rng.randint(0, 59), tzinfo=REPORTING_TZ)
            order = _order(rng, f"{DEMO_PREFIX}{month:%Y%m}-{n:04d}", paid_at, variants)
            made += 1
            if returns.random() < RETURN_SHARE:
                _returned(returns, order, made)
        # Workshops record the month's work: units for the products they made.
        for participant in Participant.objects.filter(is_active=True).select_related("workshop").order_by("pk"):
            product = ProductPage.objects.filter(workshop=participant.workshop).order_by("pk").first()
            WorkRecord.objects.create(participant=participant, product=product, month=month, quantity=rng.randint(20, 120))
    # Close every finished month, oldest first, then pay each village most of its balance.
    for period in SettlementPeriod.objects.filter(month__gte=first_month, month__lt=month_first(today)).order_by("month", "pk"):
        period_submit_for_review(period=period)
        period_close(period=period, actor=admin)
        for holding in period.cooperative.shareholdings.all():
            recipient = Recipient(PayoutRecipient.VILLAGE, village_id=holding.village_id)
            paid_on = min(month_next(period.month).replace(day=10), today)
            month = period_month_for(
                cooperative=period.cooperative, moment=datetime.datetime.combine(paid_on, datetime.time(12), tzinfo=REPORTING_TZ)
            )
            due = payouts_available_fen(cooperative=period.cooperative, recipients=[recipient], month=month)[recipient] * 8 // 10
            if due > 0:
                payout_record(cooperative=period.cooperative, recipient=recipient, amount_fen=due,
                              bank_reference=f"演示转账 {period.month:%Y%m}-{holding.village_id}",
                              paid_on=paid_on, actor=admin)
    progress(f"{made} past orders over {MONTHS} months, periods closed and villages paid")
    return made

