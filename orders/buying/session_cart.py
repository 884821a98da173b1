"""What a visitor's session holds: their cart, and the orders they placed as a guest."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import Http404, HttpRequest

from orders.buying.cart import cart_merge
from orders.models import Cart, Order

SESSION_KEY = "cart_id"
SESSION_ORDERS = "order_numbers"
SESSION_ORDERS_KEPT = 20


def cart_for_request(request: HttpRequest, *, create: bool = False) -> Cart | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cart = Cart.objects.filter(user=user).first()
        if cart is None and create:
            cart = Cart.objects.create(user=user)
        return cart
    cart_id = request.session.get(SESSION_KEY)
    cart = Cart.objects.filter(pk=cart_id, user__isnull=True).first() if cart_id else None
    if cart is None and create:
        cart = Cart.objects.create()
        request.session[SESSION_KEY] = cart.pk
    return cart


@receiver(user_logged_in, dispatch_uid="orders.merge_cart_at_login")
def merge_cart_at_login(sender, request, user, **kwargs):
    """The anonymous cart moves into the account at login (Django keeps session data across
    the login's key rotation)."""
    if request is None or not hasattr(request, "session"):
        return
    cart_id = request.session.pop(SESSION_KEY, None)
    anonymous = Cart.objects.filter(pk=cart_id, user__isnull=True).first() if cart_id else None
    if anonymous is None:
        return
    target, _created = Cart.objects.get_or_create(user=user)
    cart_merge(source=anonymous, target=target)


def session_order_remember(request: HttpRequest, number: str) -> None:
    """Keep the number in the session (newest first, a bounded list) so a guest can return to it."""
    kept = [n for n in request.session.get(SESSION_ORDERS, []) if n != number]
    request.session[SESSION_ORDERS] = ([number] + kept)[:SESSION_ORDERS_KEPT]


def order_for_request(request: HttpRequest, *, number: str) -> Order:
    """The order if this request may see it: its account's, or the session's that placed it.

    Raises Http404 otherwise, the same as for a number that does not exist, so numbers
    cannot be probed.
    """
    order = Order.objects.prefetch_related("lines", "events", "shipments").filter(number=number).first()
    if order is None:
        raise Http404
    user = request.user
    if order.user_id is not None and user.is_authenticated and order.user_id == user.pk:
        return order
    if number in request.session.get(SESSION_ORDERS, []):
        return order
    raise Http404
