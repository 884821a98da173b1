"""Reads for the buying API: the cart with its delivery and total, and the orders a request may see."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from orders.cart import CartLineView, CartView, cart_view
from orders.models import Cart, Order, Payment, PaymentStatus
from orders.shipping import shipping_fee_fen, shipping_method_for

# Order numbers placed in this session: the API writes SESSION_ORDERS; the storefront pages
# keep theirs under "orders_placed", read too, so a guest can pay or track through either.
SESSION_ORDERS = "order_numbers"
SESSION_ORDER_KEYS = (SESSION_ORDERS, "orders_placed")
SESSION_ORDERS_KEPT = 20
CONFIRMABLE = [PaymentStatus.CREATED, PaymentStatus.REQUIRES_ACTION, PaymentStatus.FAILED]


@dataclass(frozen=True)
class CartSummary:
    """The cart as the shopper sees it now, with the delivery order_place would charge."""

    view: CartView
    shipping_method: str
    shipping_fen: int
    total_fen: int

    @property
    def lines(self) -> list[CartLineView]:
        return self.view.lines

    @property
    def subtotal_fen(self) -> int:
        return self.view.subtotal_fen

    @property
    def item_count(self) -> int:
        return self.view.item_count

    @property
    def can_check_out(self) -> bool:
        return self.view.can_check_out


def cart_summary(*, cart: Cart | None) -> CartSummary:
    """cart_view plus the delivery method and fee; the total adds up as order_place's does.

    An empty cart costs nothing to deliver. Exact integer fen.
    """
    view = cart_view(cart=cart)
    method = shipping_method_for(profiles=view.shipping_profiles)
    fee = shipping_fee_fen(method=method, subtotal_fen=view.subtotal_fen) if view.lines else 0
    return CartSummary(view=view, shipping_method=method, shipping_fen=fee, total_fen=view.subtotal_fen + fee)


def session_order_numbers(request: HttpRequest) -> set[str]:
    numbers: set[str] = set()
    for key in SESSION_ORDER_KEYS:
        numbers.update(request.session.get(key, []))
    return numbers


def session_order_remember(request: HttpRequest, number: str) -> None:
    """Keep the number in the session (newest first, a bounded list) so a guest can return to it."""
    kept = [n for n in request.session.get(SESSION_ORDERS, []) if n != number]
    request.session[SESSION_ORDERS] = ([number] + kept)[:SESSION_ORDERS_KEPT]


def _with_details(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.prefetch_related("lines", "events", "shipments")


def order_for_request(request: HttpRequest, *, number: str) -> Order:
    """The order if this request may see it: its account's, or the session's that placed it.

    Raises Http404 otherwise, the same as for a number that does not exist, so numbers
    cannot be probed.
    """
    order = _with_details(Order.objects.filter(number=number)).first()
    if order is None:
        raise Http404
    user = request.user
    if user.is_authenticated and order.user_id == user.pk:
        return order
    if number in session_order_numbers(request):
        return order
    raise Http404


def orders_of_user(*, user) -> QuerySet[Order]:
    """A logged-in shopper's orders, newest first."""
    return Order.objects.filter(user=user).order_by("-placed_at", "-id")


def payment_to_confirm(*, order: Order) -> Payment | None:
    """The order's newest payment a card can still be confirmed on (open, or failed and retried)."""
    return order.payments.filter(status__in=CONFIRMABLE).order_by("-created_at", "-id").first()

