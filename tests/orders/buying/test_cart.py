import pytest
from django.contrib.auth import get_user_model

from orders.buying.cart import MAX_QUANTITY_PER_LINE, CartError, cart_add, cart_merge, cart_set_quantity, cart_view
from orders.models import Cart
from shop.models import ProductPage, ProductVariant
from tests.orders.helpers import cart_with

pytestmark = pytest.mark.django_db


def test_cart_prices_come_from_the_catalogue_when_read():
    cart = cart_with(("CJ-ZZ-500G", 2))
    ProductVariant.objects.filter(sku="CJ-ZZ-500G").update(price_fen=7000)
    line = cart_view(cart=cart).lines[0]
    assert (line.unit_price_fen, line.line_total_fen) == (7000, 14000)


def test_adding_the_same_sku_twice_adds_up_on_one_line():
    cart = cart_with(("CJ-ZZ-500G", 1), ("cj-zz-500g", 2))
    assert [(line.sku, line.quantity) for line in cart.lines.all()] == [("CJ-ZZ-500G", 3)]


@pytest.mark.parametrize("quantity", [0, -1, MAX_QUANTITY_PER_LINE + 1])
def test_quantity_outside_limits_is_refused(quantity):
    with pytest.raises(CartError):
        cart_with(("CJ-ZZ-500G", quantity))


def test_more_than_available_is_refused_with_the_number_left():
    with pytest.raises(CartError, match="30"):
        cart_with(("CJ-ZZ-GIFT", 31))


def test_sold_out_sku_cannot_be_added():
    with pytest.raises(CartError):
        cart_with(("CJ-XP-500G", 1))


def test_unknown_or_unpublished_sku_cannot_be_added():
    with pytest.raises(CartError):
        cart_with(("NO-SUCH-SKU", 1))
    ProductPage.objects.get(slug="changjie-zicai").unpublish()
    with pytest.raises(CartError):
        cart_with(("CJ-ZC-100G", 1))


def test_line_of_a_product_taken_off_sale_is_flagged_and_blocks_checkout():
    cart = cart_with(("CJ-ZC-100G", 1))
    ProductPage.objects.get(slug="changjie-zicai").unpublish()
    view = cart_view(cart=cart)
    assert view.lines[0].problem and not view.can_check_out


def test_setting_quantity_to_zero_removes_the_line():
    cart = cart_with(("CJ-ZZ-500G", 2))
    assert cart_set_quantity(cart=cart, line_id=cart.lines.get().pk, quantity=0) is None
    assert not cart.lines.exists()


def test_merge_adds_quantities_and_moves_new_lines():
    user = get_user_model().objects.create_user("merge-user", password="pw-for-tests-only")
    anonymous = cart_with(("CJ-ZZ-500G", 1), ("SM-HS-250G", 2))
    mine = cart_with(("CJ-ZZ-500G", 2), user=user)
    cart_merge(source=anonymous, target=mine)
    assert dict(mine.lines.values_list("sku", "quantity")) == {"CJ-ZZ-500G": 3, "SM-HS-250G": 2}
    assert not Cart.objects.filter(pk=anonymous.pk).exists()


def test_cart_add_rejects_bad_quantity_type():
    cart = Cart.objects.create()
    with pytest.raises(CartError):
        cart_add(cart=cart, sku="CJ-ZZ-500G", quantity="3")  # type: ignore[arg-type]
