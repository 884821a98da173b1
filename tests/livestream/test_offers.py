"""Live offers: a pool carved out of stock, sold at the live price, within per-buyer limits."""

import datetime

import pytest
from django.utils import timezone, translation

from livestream.models import LiveOffer, OfferStatus
from livestream.offers import OfferError, offer_create, offer_start, offer_stop, offer_stop_due
from livestream.sales import room_buy
from orders.buying.cart import CartError, cart_view
from orders.buying.checkout import CheckoutError, Contact, OfferEnded, order_place
from orders.models import Cart
from shop.inventory import SoldOut, stock_available_now, stock_receive
from tests.orders.helpers import ADDRESS, place

pytestmark = pytest.mark.django_db


def _sku(product) -> str:
    return product.variants.order_by("sort_order").first().sku


def _running_offer(session, product, *, quantity=10, limit=2, price_fen=990, duration_seconds=None) -> LiveOffer:
    offer = offer_create(
        session=session, sku=_sku(product), price_fen=price_fen, quantity=quantity, per_buyer_limit=limit,
        duration_seconds=duration_seconds,
    )
    return offer_start(offer=offer)


def test_starting_an_offer_holds_its_pool_out_of_general_stock(on_air, zhizi):
    # given
    sku = _sku(zhizi)
    before = stock_available_now(skus=[sku])[sku]
    # when
    offer = _running_offer(on_air, zhizi, quantity=30)
    # then
    assert offer.status == OfferStatus.ACTIVE
    assert stock_available_now(skus=[sku])[sku] == before - 30


def test_offer_starts_only_while_live_and_only_on_products_the_session_sells(live_session, zhizi):
    offer = offer_create(session=live_session, sku=_sku(zhizi), price_fen=990, quantity=5)
    with translation.override("en"), pytest.raises(OfferError, match="live"):
        offer_start(offer=offer)
    from shop.models import ProductPage

    other = ProductPage.objects.exclude(pk__in=live_session.session_products.values("product")).first()
    with pytest.raises(OfferError):
        offer_create(session=live_session, sku=_sku(other), price_fen=990, quantity=5)


def test_offer_cannot_start_beyond_stock(on_air, second_product):
    sku = _sku(second_product)
    available = stock_available_now(skus=[sku])[sku]
    offer = offer_create(session=on_air, sku=sku, price_fen=990, quantity=available + 1)
    with pytest.raises(SoldOut):
        offer_start(offer=offer)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


def test_cart_line_from_the_offer_costs_the_live_price_and_carries_the_session(on_air, zhizi):
    offer = _running_offer(on_air, zhizi, price_fen=990)
    cart = Cart.objects.create()
    room_buy(session=on_air, cart=cart, sku=offer.sku, quantity=2, offer_id=offer.pk)
    line = cart_view(cart=cart).lines[0]
    assert (line.unit_price_fen, line.line_total_fen, line.offer_id) == (990, 1980, offer.pk)
    assert line.live_session_id == on_air.pk
    assert line.host_id == on_air.host_id and line.host_rate_bp == 800


def test_checkout_claims_units_from_the_pool_and_they_stay_sold_to_the_order(on_air, zhizi):
    offer = _running_offer(on_air, zhizi, quantity=10)
    sku = offer.sku
    general_before = stock_available_now(skus=[sku])[sku]
    cart = Cart.objects.create()
    room_buy(session=on_air, cart=cart, sku=sku, quantity=2, offer_id=offer.pk)
    order = order_place(cart=cart, contact=ADDRESS)
    offer.refresh_from_db()
    assert offer.claimed == 2 and offer.remaining == 8
    line = order.lines.get()
    assert (line.unit_price_fen, line.offer_id, line.live_session_id) == (990, offer.pk, on_air.pk)
    # The units came from the offer's hold: general stock is what it was.
    assert stock_available_now(skus=[sku])[sku] == general_before


def test_per_buyer_limit_holds_across_orders(on_air, zhizi, django_user_model):
    buyer = django_user_model.objects.create_user("viewer", "viewer@example.com", "pw")
    offer = _running_offer(on_air, zhizi, limit=2)
    cart = Cart.objects.create(user=buyer)
    with pytest.raises(CartError, match="2"):
        room_buy(session=on_air, cart=cart, sku=offer.sku, quantity=3, offer_id=offer.pk, user=buyer)
    room_buy(session=on_air, cart=cart, sku=offer.sku, quantity=2, offer_id=offer.pk, user=buyer)
    order_place(cart=cart, contact=ADDRESS, user=buyer)
    # The limit is reached: a new cart cannot take more, and checkout refuses a smuggled line.
    cart2 = cart  # one cart per account, emptied by the checkout
    with pytest.raises(CartError):
        room_buy(session=on_air, cart=cart2, sku=offer.sku, quantity=1, offer_id=offer.pk, user=buyer)
    from orders.models import CartLine

    CartLine.objects.create(cart=cart2, sku=offer.sku, quantity=1, offer_id=offer.pk)
    with pytest.raises(CheckoutError, match="2"):
        order_place(cart=cart2, contact=ADDRESS, user=buyer)


def test_guest_limit_is_by_phone(on_air, zhizi):
    offer = _running_offer(on_air, zhizi, limit=1)
    for expected in (None, CheckoutError):
        cart = Cart.objects.create()
        room_buy(session=on_air, cart=cart, sku=offer.sku, quantity=1, offer_id=offer.pk)
        if expected is None:
            order_place(cart=cart, contact=Contact(phone="13900001111", recipient="李四", province="浙江省", city="宁波市", district="宁海县", address_detail="1号"))
        else:
            with pytest.raises(expected):
                order_place(cart=cart, contact=Contact(phone="13900001111", recipient="李四", province="浙江省", city="宁波市", district="宁海县", address_detail="1号"))


def test_selling_the_last_unit_ends_the_offer(on_air, zhizi):
    offer = _running_offer(on_air, zhizi, quantity=2, limit=2)
    cart = Cart.objects.create()
    room_buy(session=on_air, cart=cart, sku=offer.sku, quantity=2, offer_id=offer.pk)
    order_place(cart=cart, contact=ADDRESS)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ENDED and offer.remaining == 0
    with pytest.raises(CartError):
        room_buy(session=on_air, cart=Cart.objects.create(), sku=offer.sku, quantity=1, offer_id=offer.pk)


def test_stopping_gives_unclaimed_units_back_and_the_cart_falls_back_to_the_catalogue_price(on_air, zhizi):
    sku = _sku(zhizi)
    before = stock_available_now(skus=[sku])[sku]
    offer = _running_offer(on_air, zhizi, quantity=10)
    cart = Cart.objects.create()
    room_buy(session=on_air, cart=cart, sku=sku, quantity=1, offer_id=offer.pk)
    offer_stop(offer=offer)
    assert stock_available_now(skus=[sku])[sku] == before
    line = cart_view(cart=cart).lines[0]
    assert line.unit_price_fen == zhizi.variants.get(sku=sku).price_fen
    assert line.offer_ended and line.offer_id is None
    # checkout never charges a price the buyer did not see: it stops once and says why ...
    with translation.override("en"), pytest.raises(OfferEnded, match="regular price"):
        order_place(cart=cart, contact=ADDRESS)
    # ... and the second time the order is placed at the catalogue price, no claim on the offer
    order = order_place(cart=cart, contact=ADDRESS)
    line = order.lines.get()
    assert line.offer_id is None and line.unit_price_fen == zhizi.variants.get(sku=sku).price_fen


def test_timed_offer_ends_by_itself(on_air, zhizi):
    offer = _running_offer(on_air, zhizi, duration_seconds=30)
    LiveOffer.objects.filter(pk=offer.pk).update(ends_at=timezone.now() - datetime.timedelta(seconds=1))
    # Reads already treat it as over, before any job runs ...
    with pytest.raises(CartError):
        room_buy(session=on_air, cart=Cart.objects.create(), sku=offer.sku, quantity=1, offer_id=offer.pk)
    # ... and the housekeeping job marks it ended.
    assert offer_stop_due() == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ENDED


def test_ending_the_session_ends_its_offers(on_air, zhizi):
    from livestream.sessions import session_end

    offer = _running_offer(on_air, zhizi)
    session_end(session=on_air)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ENDED


def test_an_offer_of_another_session_cannot_be_used(on_air, zhizi, live_host):
    from livestream.models import LiveSession, SessionProduct

    other = LiveSession.objects.create(host=live_host, title="别的场次", scheduled_start=timezone.now())
    SessionProduct.objects.create(session=other, product=zhizi)
    offer = _running_offer(on_air, zhizi)
    with pytest.raises(CartError):
        room_buy(session=other, cart=Cart.objects.create(), sku=offer.sku, quantity=1, offer_id=offer.pk)


def test_regular_shoppers_cannot_take_the_pool(on_air, zhizi):
    sku = _sku(zhizi)
    available = stock_available_now(skus=[sku])[sku]
    _running_offer(on_air, zhizi, quantity=available)
    with pytest.raises(CartError):
        place((sku, 1))


def test_room_sells_only_the_sessions_products(on_air):
    from shop.models import ProductPage

    other = ProductPage.objects.exclude(pk__in=on_air.session_products.values("product")).first()
    with pytest.raises(CartError):
        room_buy(session=on_air, cart=Cart.objects.create(), sku=_sku(other), quantity=1)


def test_receiving_more_stock_does_not_enlarge_the_pool(on_air, zhizi):
    offer = _running_offer(on_air, zhizi, quantity=3)
    stock_receive(sku=offer.sku, quantity=100)
    offer.refresh_from_db()
    assert offer.remaining == 3


def test_cart_page_shows_the_live_price_and_later_that_it_ended(client, on_air, zhizi):
    from django.urls import reverse

    offer = _running_offer(on_air, zhizi, price_fen=990)
    client.post(reverse("livestream:buy", args=[on_air.pk]), {"sku": offer.sku, "quantity": 1, "offer_id": offer.pk})
    page = client.get(reverse("orders:cart")).content.decode()
    assert "¥9.90" in page and 'class="live-price"' in page
    offer_stop(offer=offer)
    page = client.get(reverse("orders:cart")).content.decode()
    assert 'class="live-price"' not in page and "cart-line__note" in page
