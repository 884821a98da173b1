"""Refunds per line through the Stripe Refund API, never calling Stripe inside a transaction.

A refund goes in three steps (DESIGN.md §3, "Money and Stripe"):

1. `refund_request` checks it under the order's row lock and records it with its lines, status
   *requested* and an idempotency key fixed there and then; the transaction commits.
2. `refund_send` asks Stripe, outside any transaction, with that key.
3. `refund_apply` records Stripe's answer in a new transaction: a goods refund Stripe accepted
   books its reversals line by line and adds to the order's refunded amount; one it reports
   failed afterwards is undone by new ledger entries.

Staff pressing again, the periodic task and the webhooks (`charge.refunded`, `refund.updated`)
all reuse the key, and applying the same answer twice changes nothing. localstripe sends no
refund webhooks, so the answer of the Refund API itself is applied too.

Refunds of a duplicate or late payment (`refund_payment_in_full`) give a whole payment back:
no lines, no allocations, not part of the order's refunded amount, never in the way of a
later refund of goods.
"""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.accounting.allocations import allocations_reverse_for_refund
from orders.buying import stripe_gateway as gateway
from orders.buying.status import order_transition
from orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundKind,
    RefundLine,
    RefundStatus,
)
from shop.money import format_fen, split_largest_remainder

logger = logging.getLogger(__name__)

REFUNDABLE = {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.PARTIALLY_REFUNDED}
BOOKED = {RefundStatus.PENDING, RefundStatus.SUCCEEDED}  # Stripe accepted: the reversals stand
FROM_STRIPE = {
    "succeeded": RefundStatus.SUCCEEDED,
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.FAILED,
}


class RefundError(Exception):
    """The refund cannot be made and nothing was recorded; the message says why, for staff.

    `code` is "not_refundable" when the order's state is the reason, else "invalid";
    `fields` names the offending input (e.g. {"lines[1]": [message]}).
    """

    def __init__(self, message: str, *, code: str = "invalid", fields: dict | None = None):
        super().__init__(message)
        self.code = code
        self.fields = fields or {}


@dataclass(frozen=True)
class LineRefund:
    """One line of a refund request: an amount in fen or a number of units, not both."""

    line_id: int
    amount_fen: int | None = None
    quantity: int | None = None


@dataclass(frozen=True)
class LineRemaining:
    line: OrderLine
    amount_fen: int  # fen of the line not yet refunded
    quantity: int  # units that can still be refunded by quantity


@dataclass(frozen=True)
class Refundable:
    """What of an order can still be refunded, line by line and of the delivery fee."""

    lines: list[LineRemaining]
    delivery_fee_fen: int

    @property
    def total_fen(self) -> int:
        return sum(remaining.amount_fen for remaining in self.lines) + self.delivery_fee_fen

    def everything(self) -> list[LineRefund]:
        return [LineRefund(line_id=r.line.pk, amount_fen=r.amount_fen) for r in self.lines if r.amount_fen]

    def spread(self, amount_fen: int) -> tuple[list[LineRefund], int]:
        """amount_fen divided over what remains of each line and of the delivery fee, by
        largest remainder (lines by id, the fee last): no part exceeds what remains."""
        weights = {str(r.line.pk): r.amount_fen for r in self.lines} | {"delivery": self.delivery_fee_fen}
        parts = split_largest_remainder(amount_fen, weights)
        lines = [LineRefund(line_id=r.line.pk, amount_fen=parts[str(r.line.pk)]) for r in self.lines if parts[str(r.line.pk)]]
        return lines, parts["delivery"]


def order_refundable(*, order: Order) -> Refundable:
    """Each line's and the delivery fee's amount not yet refunded, and the units left to refund.

    Every goods refund that has not failed counts, requested ones included, so two requests
    can never both take the same fen.
    """
    live = Refund.objects.filter(order=order, kind=RefundKind.GOODS).exclude(status=RefundStatus.FAILED)
    refund_lines = RefundLine.objects.filter(refund__in=live).order_by().values("line_id")
    taken = {row["line_id"]: row for row in refund_lines.annotate(fen=Sum("amount_fen"), units=Sum("quantity"))}
    lines = []
    for line in order.lines.order_by("id"):
        fen = line.line_total_fen - (taken.get(line.pk, {}).get("fen") or 0)
        units = line.quantity - (taken.get(line.pk, {}).get("units") or 0) if fen > 0 else 0
        lines.append(LineRemaining(line=line, amount_fen=fen, quantity=units))
    fee_taken = live.aggregate(total=Sum("delivery_fee_fen"))["total"] or 0
    return Refundable(lines=lines, delivery_fee_fen=order.shipping_fen - fee_taken)


def _units_fen(remaining: LineRemaining, quantity: int) -> int:
    """That many units' share of the line amount, exact in fen: the last unit takes the rest."""
    line = remaining.line
    before = line.quantity - remaining.quantity
    if before + quantity == line.quantity:
        return remaining.amount_fen
    share = (before + quantity) * line.line_total_fen // line.quantity - before * line.line_total_fen // line.quantity
    return min(share, remaining.amount_fen)


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _line_error(index: int, message: str) -> RefundError:
    return RefundError(message, fields={f"lines[{index}]": [message]})


def _checked_line(remaining: LineRemaining, request: LineRefund) -> int:
    """The fen a valid line request refunds. Raises ValueError with the reason."""
    line_id = request.line_id
    if (request.amount_fen is None) == (request.quantity is None):
        raise ValueError(_("Give either an amount or a quantity for line %(id)s.") % {"id": line_id})
    if request.quantity is not None:
        if not _is_count(request.quantity):
            raise ValueError(_("A quantity to refund is a whole number of at least 1."))
        if request.quantity > remaining.quantity:
            raise ValueError(_("At most %(units)s unit(s) of line %(id)s can still be refunded.") % {"units": remaining.quantity, "id": line_id})
        amount = _units_fen(remaining, request.quantity)
    elif not _is_count(request.amount_fen):
        raise ValueError(_("The refund of a line must be at least ¥0.01."))
    else:
        amount = request.amount_fen
    if not 1 <= amount <= remaining.amount_fen:
        raise ValueError(_("At most %(max)s of line %(id)s can still be refunded.") % {"max": format_fen(remaining.amount_fen), "id": line_id})
    return amount


def _checked_lines(refundable: Refundable, lines: Sequence[LineRefund]) -> list[tuple[OrderLine, int, int | None]]:
    """(line, amount in fen, units) for each requested line. Raises RefundError naming the line."""
    by_id = {remaining.line.pk: remaining for remaining in refundable.lines}
    checked, seen = [], set()
    for index, request in enumerate(lines):
        remaining = by_id.get(request.line_id)
        if remaining is None:
            raise _line_error(index, _("Line %(id)s is not a line of this order.") % {"id": request.line_id})
        if request.line_id in seen:
            raise _line_error(index, _("Line %(id)s is named twice; give its whole refund once.") % {"id": request.line_id})
        seen.add(request.line_id)
        try:
            amount = _checked_line(remaining, request)
        except ValueError as error:
            raise _line_error(index, str(error)) from error
        checked.append((remaining.line, amount, request.quantity))
    return checked


def _paying_payment(order: Order) -> Payment:
    """The succeeded payment goods are refunded on: not one given back as duplicate or late."""
    given_back = Refund.objects.filter(order=order).exclude(kind=RefundKind.GOODS).exclude(status=RefundStatus.FAILED)
    payment = (
        order.payments.filter(status=PaymentStatus.SUCCEEDED).exclude(pk__in=given_back.values("payment_id")).order_by("id").first()
    )
    if payment is None:
        raise RefundError(_("This order has no settled payment to refund."), code="not_refundable")
    return payment


def _record(order: Order, payment: Payment, lines: list[tuple[OrderLine, int, int | None]], delivery_fee_fen: int,
            actor: AbstractBaseUser | None, reason: str) -> Refund:
    refund = Refund.objects.create(
        order=order, payment=payment, kind=RefundKind.GOODS,
        amount_fen=sum(amount for _line, amount, _units in lines) + delivery_fee_fen, delivery_fee_fen=delivery_fee_fen,
        idempotency_key=f"refund-{order.number}-{uuid.uuid4().hex[:16]}", status=RefundStatus.REQUESTED,
        reason=reason, actor=actor if actor is not None and actor.is_authenticated else None,
    )
    RefundLine.objects.bulk_create(
        RefundLine(refund=refund, line=line, amount_fen=amount, quantity=units) for line, amount, units in lines
    )
    return refund


@transaction.atomic
def refund_request(
    *,
    order: Order,
    lines: Sequence[LineRefund] = (),
    delivery_fee_fen: int = 0,
    amount_fen: int | None = None,
    actor: AbstractBaseUser | None = None,
    reason: str = "",
) -> Refund:
    """Record a goods refund (status requested, idempotency key fixed); Stripe is not called.

    Name its lines (each an amount in fen or a quantity of units) and any part of the delivery
    fee. amount_fen alone instead refunds that much spread over what remains of the lines and
    the delivery fee (for a refund made outside the shop, or a caller that only has a total).
    Nothing is booked until Stripe accepts it (refund_apply). Raises RefundError, recording
    nothing, when the order is not paid or a line or amount is not refundable.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in REFUNDABLE:
        raise RefundError(_("Only paid orders can be refunded."), code="not_refundable")
    refundable = order_refundable(order=order)
    if amount_fen is not None:
        if lines or delivery_fee_fen:
            raise RefundError(_("Give either an amount to spread or lines, not both."))
        if not _is_count(amount_fen) or amount_fen > refundable.total_fen:
            message = _("Give an amount between ¥0.01 and %(max)s.") % {"max": format_fen(refundable.total_fen)}
            raise RefundError(message, fields={"amount_fen": [message]})
        lines, delivery_fee_fen = refundable.spread(amount_fen)
    checked = _checked_lines(refundable, lines)
    if not isinstance(delivery_fee_fen, int) or not 0 <= delivery_fee_fen <= refundable.delivery_fee_fen:
        message = _("At most %(max)s of the delivery fee can still be refunded.") % {"max": format_fen(refundable.delivery_fee_fen)}
        raise RefundError(message, fields={"delivery_fee_fen": [message]})
    if not checked and not delivery_fee_fen:
        raise RefundError(_("Name at least one line or part of the delivery fee to refund."))
    return _record(order, _paying_payment(order), checked, delivery_fee_fen, actor, reason)


def refund_payment_in_full(*, payment: Payment, kind: str) -> Refund:
    """Record the refund of a whole payment that bought nothing, and send it after commit.

    kind is RefundKind.DUPLICATE (the order was already paid by another payment) or
    RefundKind.LATE (the payment came after the order ended). The refund has no lines, books
    no allocation and does not count in the order's refunded amount; the order's status is the
    caller's business. Safe inside the caller's transaction: Stripe is called only once it has
    committed (and by the periodic retry if that call fails). Idempotent per payment and kind:
    the key is fixed by them, so a second call returns the first refund.
    """
    if kind not in (RefundKind.DUPLICATE, RefundKind.LATE):
        raise ValueError(f"refund_payment_in_full refunds duplicate or late payments, not {kind!r}.")
    reasons = {
        RefundKind.DUPLICATE: _("Duplicate payment; refunded automatically."),
        RefundKind.LATE: _("Payment arrived after the order ended; refunded automatically."),
    }
    refund, _created = Refund.objects.get_or_create(
        idempotency_key=f"refund-{payment.intent_id}-{kind}",
        defaults={"order_id": payment.order_id, "payment": payment, "kind": kind, "amount_fen": payment.amount_fen,
                  "status": RefundStatus.REQUESTED, "reason": reasons[kind]},
    )
    _send_after_commit(refund)
    return refund


def _send_after_commit(refund: Refund) -> None:
    # robust: if Stripe cannot be reached now the refund stays requested for the periodic retry,
    # and the caller's committed work is not reported as failed.
    transaction.on_commit(lambda: refund_send(refund=refund), robust=True)


def _require_no_transaction() -> None:
    """Raise RuntimeError inside transaction.atomic: a Stripe call must not hold row locks."""
    with transaction.atomic(durable=True):
        pass


def _refused_by_stripe(error: gateway.PaymentGatewayError) -> bool:
    """Stripe answered and said no (a 4xx): retrying the same request cannot succeed."""
    status = getattr(error.__cause__, "http_status", None)
    return isinstance(status, int) and 400 <= status < 500 and status != 429


def refund_send(*, refund: Refund) -> Refund:
    """Ask Stripe for a requested refund with its fixed idempotency key, then apply the answer.

    A refund no longer requested is returned as it is (Stripe is not asked twice by the shop;
    a repeated request with the same key is answered by Stripe with the same refund). Raises
    RuntimeError when called inside a transaction, and PaymentGatewayError when Stripe refused
    (the refund is then recorded failed) or could not be reached (it stays requested, with the
    error, for a retry).
    """
    _require_no_transaction()
    refund = Refund.objects.select_related("payment").get(pk=refund.pk)
    if refund.status != RefundStatus.REQUESTED:
        return refund
    try:
        result = gateway.refund_create(
            intent_id=refund.payment.intent_id, amount_fen=refund.amount_fen, idempotency_key=refund.idempotency_key
        )
    except gateway.PaymentGatewayError as error:
        if _refused_by_stripe(error):
            refund_apply(refund=refund, stripe_status="failed", error=str(error))
        else:
            Refund.objects.filter(pk=refund.pk, status=RefundStatus.REQUESTED).update(last_error=str(error)[:255])
        raise
    return refund_apply(refund=refund, stripe_status=result.status, stripe_refund_id=result.id)


def _status_without_refunds(order: Order) -> str:
    """Where an order stands when no refund of it stands any more: its shipments say."""
    shipments = order.shipments.all()
    if not shipments:
        return OrderStatus.PAID
    return OrderStatus.DELIVERED if all(s.delivered_at for s in shipments) else OrderStatus.SHIPPED


@transaction.atomic
def refund_apply(*, refund: Refund, stripe_status: str, stripe_refund_id: str = "", error: str = "") -> Refund:
    """Record what Stripe says of a refund (its status: succeeded, pending, failed, canceled).

    requested → pending/succeeded: a goods refund books its reversals and adds to the order's
    refunded amount and status. pending/succeeded → failed: its reversals are undone by new
    entries and the order's refunded amount and status go back. Any other move (the same
    status again, failed → anything, succeeded → pending) changes nothing but a missing Stripe
    id, so a retry and a webhook reaching the same answer change nothing twice.
    """
    order = Order.objects.select_for_update().get(pk=refund.order_id)
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    before, after = refund.status, FROM_STRIPE.get(stripe_status, RefundStatus.PENDING)
    if stripe_refund_id and not refund.stripe_refund_id:
        refund.stripe_refund_id = stripe_refund_id
        refund.save(update_fields=["stripe_refund_id"])
    moves_on = (before == RefundStatus.REQUESTED and after != before) or (before in BOOKED and after == RefundStatus.FAILED) or (
        before == RefundStatus.PENDING and after == RefundStatus.SUCCEEDED
    )
    if not moves_on:
        return refund
    refund.status = after
    refund.last_error = error[:255] if after == RefundStatus.FAILED else ""
    refund.save(update_fields=["status", "last_error"])
    if refund.kind != RefundKind.GOODS:
        return refund
    if before == RefundStatus.REQUESTED and after in BOOKED:
        allocations_reverse_for_refund(refund=refund)
        order.refunded_fen += refund.amount_fen
        order.save(update_fields=["refunded_fen"])
        to = OrderStatus.REFUNDED if order.refunded_fen >= order.total_fen else OrderStatus.PARTIALLY_REFUNDED
        order_transition(order=order, to=to, actor=refund.actor, note=refund.reason or _("Refund"))
    elif before in BOOKED and after == RefundStatus.FAILED:
        allocations_reverse_for_refund(refund=refund)  # reinstates: the refund has failed
        order.refunded_fen -= refund.amount_fen
        order.save(update_fields=["refunded_fen"])
        if order.status in (OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED):
            to = OrderStatus.PARTIALLY_REFUNDED if order.refunded_fen else _status_without_refunds(order)
            order_transition(order=order, to=to, note=_("Refund %(key)s failed at Stripe: %(error)s") % {"key": refund.idempotency_key, "error": error or "—"})
    return refund


def refund_create(*, order: Order, lines: Sequence[LineRefund] = (), delivery_fee_fen: int = 0, amount_fen: int | None = None,
                  actor: AbstractBaseUser | None = None, reason: str = "") -> Refund:
    """Request a goods refund and send it at once (refund_request, then refund_send).

    Returns the refund with Stripe's answer applied. Raises RefundError (nothing recorded),
    PaymentGatewayError (recorded; failed when Stripe refused, else requested and retried) or
    RuntimeError inside a transaction.
    """
    _require_no_transaction()
    refund = refund_request(
        order=order, lines=lines, delivery_fee_fen=delivery_fee_fen, amount_fen=amount_fen, actor=actor, reason=reason
    )
    return refund_send(refund=refund)


def refunds_send_requested(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Send every refund still requested after `older_than` (a lost answer, Stripe down).

    For the periodic task. Returns how many Stripe accepted or refused; one that still cannot
    be sent stays requested for the next run.
    """
    done = 0
    for refund in Refund.objects.filter(status=RefundStatus.REQUESTED, created_at__lt=timezone.now() - older_than):
        try:
            refund_send(refund=refund)
        except gateway.PaymentGatewayError as error:
            logger.warning("Refund %s not sent: %s", refund.idempotency_key, error)
            continue
        done += 1
    return done


@transaction.atomic
def refunds_reconcile(*, payment: Payment, amount_refunded_fen: int) -> Refund | None:
    """Bring the shop in line with Stripe's total refunded on a payment (charge.refunded).

    Refunds the shop requested count as known, sent or not, and those still requested are sent
    again after commit with their own key. Anything beyond was refunded in the Stripe
    dashboard: it is recorded as a succeeded goods refund spread over what remains of the
    lines and the delivery fee (largest remainder by what remains, lines by id, the fee last),
    and booked like any other. Idempotent: a repeated total records nothing.
    """
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    for requested in payment.refunds.filter(status=RefundStatus.REQUESTED):
        _send_after_commit(requested)
    known = payment.refunds.exclude(status=RefundStatus.FAILED).aggregate(total=Sum("amount_fen"))["total"] or 0
    missing = min(amount_refunded_fen - known, order_refundable(order=order).total_fen)
    if missing <= 0 or order.status not in REFUNDABLE:
        return None
    refund = refund_request(order=order, amount_fen=missing, reason=_("Refunded in Stripe"))
    return refund_apply(refund=refund, stripe_status="succeeded")


def refund_stripe_update(*, stripe_refund: dict) -> Refund | None:
    """Apply a Stripe refund object from a webhook (refund.created/updated, charge.refund.updated).

    Found by its Stripe id, or, when the shop never learnt that id (the answer was lost), as
    the only requested refund of that payment for that amount. Returns None when the refund
    is not the shop's (one made in the dashboard is recorded by refunds_reconcile).
    """
    refund = Refund.objects.filter(stripe_refund_id=stripe_refund["id"]).first()
    if refund is None:
        candidates = Refund.objects.filter(
            payment__intent_id=stripe_refund.get("payment_intent") or "", amount_fen=stripe_refund.get("amount"),
            status=RefundStatus.REQUESTED,
        )
        refund = candidates.first() if candidates.count() == 1 else None
    if refund is None:
        return None
    return refund_apply(
        refund=refund, stripe_status=stripe_refund.get("status", ""), stripe_refund_id=stripe_refund["id"],
        error=stripe_refund.get("failure_reason") or "",
    )
