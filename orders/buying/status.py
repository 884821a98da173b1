"""Order status changes: the allowed moves, each recorded with who and when."""

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from orders.models import Order, OrderEvent, OrderStatus

S = OrderStatus
ALLOWED = {
    S.PENDING_PAYMENT: {S.PAID, S.CANCELLED, S.EXPIRED, S.REFUNDED},
    S.PAID: {S.SHIPPED, S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.SHIPPED: {S.DELIVERED, S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.DELIVERED: {S.PARTIALLY_REFUNDED, S.REFUNDED},
    # Back to paid only when the refund that made it partly refunded fails at Stripe.
    S.PARTIALLY_REFUNDED: {S.PAID, S.SHIPPED, S.DELIVERED, S.PARTIALLY_REFUNDED, S.REFUNDED},
    # A payment can still arrive for an order that expired or was cancelled; it is then
    # either accepted (stock still there) or refunded at once.
    S.EXPIRED: {S.PAID, S.REFUNDED},
    S.CANCELLED: {S.PAID, S.REFUNDED},
    # A refund Stripe accepted and later reported failed gives the order its money back.
    S.REFUNDED: {S.PAID, S.SHIPPED, S.DELIVERED, S.PARTIALLY_REFUNDED},
}


class OrderStateError(Exception):
    """A status change the order's current status does not allow."""


def order_transition(*, order: Order, to: str, actor: AbstractBaseUser | None = None, note: str = "") -> OrderEvent:
    """Move the order to `to` and record it. The caller holds the order row locked.

    Raises OrderStateError if the move is not allowed from the current status.
    """
    if to not in ALLOWED[order.status]:
        raise OrderStateError(
            _("An order that is “%(from)s” cannot become “%(to)s”.")
            % {"from": order.get_status_display(), "to": OrderStatus(to).label}
        )
    event = OrderEvent.objects.create(
        order=order, from_status=order.status, to_status=to,
        actor=actor if actor is not None and actor.is_authenticated else None, note=note,
    )
    order.status = to
    order.save(update_fields=["status"])
    return event
