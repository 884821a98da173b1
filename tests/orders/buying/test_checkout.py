import datetime

import pytest
from django.utils import timezone

from orders.buying.checkout import CheckoutError, Contact, order_place
from orders.buying.expiry import order_cancel, orders_expire_unpaid
from orders.models import Cart, OrderStatus, ShippingMethod
from shop.inventory import SoldOut, stock_reserve
from shop.models import ProductVariant, StockReservation
from shop.selectors import stock_available
from tests.orders.helpers import ADDRESS, cart_with, place

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_outside_transactions")]


def test_placing_an_order_snapshots_lines_and_holds_stock():
    order = place(("CJ-ZZ-500G", 2), ("SM-HS-250G", 1))
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.subtotal_fen == 2 * 6800 + 2800
    assert order.shipping_method == ShippingMethod.COLD_CHAIN  # the razor clams are chilled
    assert order.total_fen == order.subtotal_fen + 2500
    line = order.lines.get(sku="CJ-ZZ-500G")
    assert (line.product_title, line.variant_label, line.unit_price_fen, line.quantity) == ("长街蛭子", "500g 鲜活", 6800, 2)
    assert stock_available(skus=["CJ-ZZ-500G"]) == {"CJ-ZZ-500G": 118}
    assert order.events.get().to_status == OrderStatus.PENDING_PAYMENT


def test_line_snapshot_survives_a_price_change_and_variant_removal():
    order = place(("SM-HS-250G", 1))
    ProductVariant.objects.filter(sku="SM-HS-250G").update(price_fen=9999)
    ProductVariant.objects.filter(sku="SM-HS-250G").delete()
    line = order.lines.get()
    assert (line.sku, line.unit_price_fen, line.product_title) == ("SM-HS-250G", 2800, "笋脯花生")


def test_standard_delivery_is_free_from_99_yuan():
    assert place(("SM-HS-250G", 1)).shipping_fen == 1000
    assert place(("SM-HS-250G", 4)).shipping_fen == 0


def test_service_booking_needs_no_address_and_no_delivery():
    order = place(("LG-YX-CHILD", 2), contact=Contact(phone="13900139000"))
    assert (order.shipping_method, order.shipping_fen) == (ShippingMethod.NONE, 0)


def test_goods_need_an_address():
    with pytest.raises(CheckoutError):
        place(("SM-HS-250G", 1), contact=Contact(phone="13900139000"))


def test_empty_cart_cannot_be_checked_out():
    with pytest.raises(CheckoutError):
        order_place(cart=Cart.objects.create(), contact=ADDRESS)


def test_checkout_refuses_when_another_checkout_took_the_last_units_and_keeps_the_cart():
    cart = cart_with(("CJ-ZZ-GIFT", 5))
    stock_reserve(quantities={"CJ-ZZ-GIFT": 28}, reference="SOMEONE-ELSE", expires_at=timezone.now() + datetime.timedelta(minutes=5))
    with pytest.raises((SoldOut, CheckoutError)):
        order_place(cart=cart, contact=ADDRESS)
    assert cart.lines.get().quantity == 5
    assert not StockReservation.objects.filter(reference__startswith="LJ").exists()


def test_expired_hold_frees_stock_when_read_before_any_cleanup():
    stock_reserve(quantities={"CJ-ZZ-GIFT": 30}, reference="LAPSED", expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert stock_available(skus=["CJ-ZZ-GIFT"]) == {"CJ-ZZ-GIFT": 30}
    place(("CJ-ZZ-GIFT", 30))  # succeeds although the lapsed hold was never cleaned up


def test_cancelling_an_unpaid_order_releases_its_stock():
    order = place(("CJ-ZZ-GIFT", 3))
    assert stock_available(skus=["CJ-ZZ-GIFT"])["CJ-ZZ-GIFT"] == 27
    order_cancel(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert stock_available(skus=["CJ-ZZ-GIFT"])["CJ-ZZ-GIFT"] == 30


def test_expiry_job_expires_unpaid_orders_once():
    order = place(("CJ-ZZ-GIFT", 3))
    later = timezone.now() + datetime.timedelta(minutes=16)
    assert orders_expire_unpaid(now=later) == 1
    assert orders_expire_unpaid(now=later) == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert order.events.last().note


def test_order_numbers_are_unique():
    numbers = {place(("SM-HS-250G", 1)).number for _ in range(20)}
    assert len(numbers) == 20
