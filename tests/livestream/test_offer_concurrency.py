"""A live offer never oversells, however many viewers press "buy" at once (run on PostgreSQL in CI)."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from livestream.models import Host, LiveOffer, LiveSession, OfferStatus, SessionProduct
from livestream.offers import offer_create, offer_start
from livestream.sales import room_buy
from livestream.sessions import session_go_live
from orders.buying.checkout import Contact, order_place
from orders.models import Cart, OrderLine
from shop.inventory import SoldOut, stock_receive, stock_sell_reserved
from shop.models import StockRecord, StockReservation
from tests.factories import make_product
from tests.orders.helpers import require_connections

VIEWERS = 200
UNITS = 50


@pytest.mark.django_db(transaction=True)
def test_200_viewers_racing_for_a_50_unit_offer_get_exactly_50(django_user_model):
    require_connections(VIEWERS + 20)
    # given a live session with a 50-unit offer on a SKU that has 80 units in stock
    product = make_product(variants=1, slug="live-flash", shipping_profile="service")
    sku = product.variants.get().sku
    stock_receive(sku=sku, quantity=80)
    host = Host.objects.create(user=django_user_model.objects.create_user("host-race", "h@example.com", "pw"), display_name="主播")
    session = LiveSession.objects.create(host=host, title="秒杀", scheduled_start=timezone.now())
    SessionProduct.objects.create(session=session, product=product)
    session = session_go_live(stream_key=session.stream_key)
    offer = offer_start(offer=offer_create(session=session, sku=sku, price_fen=100, quantity=UNITS, per_buyer_limit=1))
    carts = []
    for _ in range(VIEWERS):
        cart = Cart.objects.create()
        room_buy(session=session, cart=cart, sku=sku, quantity=1, offer_id=offer.pk)
        carts.append(cart)
    start = threading.Barrier(VIEWERS)
    placed, sold_out, errors = [], [], []
    lock = threading.Lock()

    def buy(index: int, cart: Cart) -> None:
        try:
            start.wait()
            order = order_place(cart=cart, contact=Contact(phone=f"139{index:08d}"))
            with lock:
                placed.append(order.number)
        except SoldOut:
            with lock:
                sold_out.append(index)
        except Exception as error:  # noqa: BLE001 - every other outcome is a failure to report
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    # when every viewer checks out at the same moment, each on its own connection
    threads = [threading.Thread(target=buy, args=(i, cart)) for i, cart in enumerate(carts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    # then exactly the pool is sold at the live price, the rest told it sold out
    assert errors == []
    assert len(placed) == UNITS and len(sold_out) == VIEWERS - UNITS
    offer.refresh_from_db()
    assert offer.claimed == UNITS and offer.status == OfferStatus.ENDED
    assert OrderLine.objects.filter(offer_id=offer.pk).count() == UNITS
    assert set(OrderLine.objects.filter(offer_id=offer.pk).values_list("unit_price_fen", flat=True)) == {100}
    # the offer's hold is used up and the 30 units outside the pool are still free
    assert not StockReservation.objects.filter(reference=f"live-offer-{offer.pk}", status="active").exists()
    assert StockReservation.objects.filter(record__sku=sku, status="active").count() == UNITS
    for number in placed:
        assert stock_sell_reserved(reference=number).complete
    assert StockRecord.objects.get(sku=sku).on_hand == 80 - UNITS
    assert LiveOffer.objects.get(pk=offer.pk).remaining == 0
