"""Refunds, full or partial, through the Stripe Refund API.

The refund is settled from the API's own response (localstripe sends no refund webhooks, and
Stripe's may come late); a charge.refunded event later only adds what the shop did not know
of (a refund made in the Stripe dashboard).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from orders.accounting.allocations import allocations_reverse_for_refund
from orders.buying import stripe_gateway as gateway
from orders.buying.status import order_transition
from orders.models import Order, OrderStatus, Payment, PaymentStatus, Refund, RefundStatus
from shop.money import format_fen

REFUNDABLE = {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.PARTIALLY_REFUNDED}


class RefundError(Exception):
    """The refund cannot be made; the message says why, for staff."""


def _settle(order: Order, refund: Refund, actor, note: str) -> None:
    amount_fen = refund.amount_fen
    allocations_reverse_for_refund(refund=refund)
    order.refunded_fen += amount_fen
    order.save(update_fields=["refunded_fen"])
    to = OrderStatus.REFUNDED if order.refunded_fen >= order.total_fen else OrderStatus.PARTIALLY_REFUNDED
    order_transition(order=order, to=to, actor=actor, note=note)


@transaction.atomic
def refund_create(*, order: Order, amount_fen: int, actor: AbstractBaseUser | None = None, reason: str = "") -> Refund:
    """Refund amount_fen of a paid order. Raises RefundError (nothing changes) or
    PaymentGatewayError (Stripe refused; nothing is recorded as refunded)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in REFUNDABLE:
        raise RefundError(_("Only paid orders can be refunded."))
    if not isinstance(amount_fen, int) or amount_fen < 1:
        raise RefundError(_("The refund must be at least ¥0.01."))
    if amount_fen > order.refundable_fen:
        raise RefundError(_("At most %(max)s can still be refunded.") % {"max": format_fen(order.refundable_fen)})
    payment = order.payments.filter(status=PaymentStatus.SUCCEEDED).first()
    if payment is None:
        raise RefundError(_("This order has no settled payment to refund."))
    refund = Refund.objects.create(order=order, payment=payment, amount_fen=amount_fen, reason=reason, actor=actor if actor and actor.is_authenticated else None)
    result = gateway.refund_create(
        intent_id=payment.intent_id, amount_fen=amount_fen, idempotency_key=f"refund-{order.number}-{refund.pk}"
    )
    refund.stripe_refund_id = result.id
    refund.status = RefundStatus.SUCCEEDED if result.status == "succeeded" else RefundStatus.PENDING
    refund.save(update_fields=["stripe_refund_id", "status"])
    _settle(order, refund, actor, reason or _("Refund"))
    return refund


@transaction.atomic
def refunds_reconcile(*, payment: Payment, amount_refunded_fen: int) -> Refund | None:
    """Record what Stripe refunded beyond what the shop knows of (e.g. from the dashboard)."""
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    known = sum(r.amount_fen for r in payment.refunds.exclude(status=RefundStatus.FAILED))
    missing = min(amount_refunded_fen - known, order.refundable_fen)
    if missing <= 0 or order.status not in REFUNDABLE:
        return None
    refund = Refund.objects.create(
        order=order, payment=payment, amount_fen=missing, status=RefundStatus.SUCCEEDED,
        reason=_("Refunded in Stripe"),
    )
    _settle(order, refund, None, refund.reason)
    return refund
