"""Stock is never oversold, however many buyers press "buy" at once, on either database."""

import threading

import pytest
from django.db import connection

from orders.buying.cart import cart_add
from orders.buying.checkout import Contact, order_place
from orders.models import Cart, Order
from shop.inventory import SoldOut, stock_receive, stock_sell_reserved
from shop.models import StockRecord, StockReservation
from tests.factories import make_product
from tests.orders.helpers import require_connections

BUYERS = 200
UNITS = 50


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_buyers_get_exactly_the_50_units_and_never_more():
    require_connections(BUYERS + 20)
    # given one SKU with 50 units and 200 shoppers with it in their carts
    product = make_product(variants=1, slug="flash-sale", shipping_profile="service")
    sku = product.variants.get().sku
    stock_receive(sku=sku, quantity=UNITS)
    carts = []
    for _ in range(BUYERS):
        cart = Cart.objects.create()
        cart_add(cart=cart, sku=sku, quantity=1)
        carts.append(cart)
    start = threading.Barrier(BUYERS)
    placed, sold_out, errors = [], [], []
    lock = threading.Lock()

    def buy(cart: Cart) -> None:
        try:
            start.wait()
            order = order_place(cart=cart, contact=Contact(phone="13800138000"))
            with lock:
                placed.append(order.number)
        except SoldOut as error:
            with lock:
                sold_out.append(str(error))
        except Exception as error:  # noqa: BLE001 - every other outcome is a failure to report
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    # when they all buy at once, each on its own database connection
    threads = [threading.Thread(target=buy, args=(cart,)) for cart in carts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then exactly 50 orders hold the 50 units and the other 150 were told it is sold out
    assert errors == []
    assert len(placed) == UNITS
    assert len(sold_out) == BUYERS - UNITS
    assert all(sku in message for message in sold_out)  # the message names what sold out
    assert StockReservation.objects.filter(record__sku=sku, status="active").count() == UNITS
    # and once they pay, stock ends at zero, never below
    for number in placed:
        assert stock_sell_reserved(reference=number).complete
    assert StockRecord.objects.get(sku=sku).on_hand == 0
    assert Order.objects.filter(number__in=placed).count() == UNITS
