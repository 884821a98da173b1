"""Which cart a request means: the user's, or the anonymous one whose id is in the session."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from orders.cart import cart_merge
from orders.models import Cart

SESSION_KEY = "cart_id"


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
