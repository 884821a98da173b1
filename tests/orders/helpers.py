"""Shared steps of the order tests: a cart with demo SKUs, a placed order, a paid order."""

from orders.buying.cart import cart_add
from orders.buying.checkout import Contact, order_place
from orders.models import Cart

ADDRESS = Contact(
    phone="13800138000", email="buyer@example.com", recipient="王小明", province="浙江省", city="宁波市",
    district="宁海县", address_detail="长街镇长街大道 18 号",
)


def cart_with(*items: tuple[str, int], user=None) -> Cart:
    cart = Cart.objects.create(user=user)
    for sku, quantity in items:
        cart_add(cart=cart, sku=sku, quantity=quantity)
    return cart


def place(*items: tuple[str, int], contact: Contact = ADDRESS, user=None):
    return order_place(cart=cart_with(*items), contact=contact, user=user)


def pay(localstripe, order):
    """Pay a placed order by card through localstripe and settle it from the intent."""
    from orders.buying.payments import payment_confirm_card, payment_reconcile, payment_start

    payment_reconcile(payment=payment_confirm_card(payment=payment_start(order=order), payment_method_id=localstripe.payment_method()))
    order.refresh_from_db()
    return order


def paid(localstripe, *items: tuple[str, int]):
    """A placed order paid by card through localstripe and settled from the intent."""
    from orders.models import OrderStatus

    order = pay(localstripe, place(*items))
    assert order.status == OrderStatus.PAID
    return order


def require_connections(needed: int) -> None:
    """PostgreSQL must allow `needed` connections for a test of that many concurrent buyers."""
    from django.db import connection

    from tests.conftest import require

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
    require(
        limit >= needed,
        f"PostgreSQL allows {limit} connections; the test needs {needed} "
        "(ALTER SYSTEM SET max_connections = 300 and restart, as .ci/run does)",
    )
