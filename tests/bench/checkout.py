"""Checkout of a normal cart: 3 lines of different products, quantities 1–2.

Sequential, on PostgreSQL: 20 warm-up checkouts (not recorded), then 300 timed ones. Each run
fills a fresh cart with orders.buying.cart.cart_add (not timed), times orders.buying.cart.cart_view on it, then
times orders.buying.checkout.order_place. The query counts of one cart_view and one order_place are
reported too: they should not grow with the number of orders in the database.
"""

import random
import time

from tests.bench.common import Result, base_params, make_product, ms, percentile

NAME = "checkout"
WARMUP = 20
RUNS = 300
SEED = 20261129


def run() -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.buying.cart import cart_add, cart_view
    from orders.buying.checkout import Contact, order_place
    from orders.models import Cart

    result = Result(NAME)
    stock = 10 * (WARMUP + RUNS + 1)
    skus = [
        make_product(slug="bench-razor-clam", title="长街蛏子", price_fen=6800, stock=stock),
        make_product(slug="bench-tea", title="望海茶", price_fen=12800, stock=stock),
        make_product(slug="bench-rice-cake", title="宁海年糕", price_fen=2500, stock=stock),
    ]
    contact = Contact(phone="13800138000", recipient="李四", province="浙江省", city="宁波市", district="象山县",
                      address_detail="丹西街道测试路8号")
    rng = random.Random(SEED)

    def filled_cart() -> Cart:
        cart = Cart.objects.create()
        for sku in skus:
            cart_add(cart=cart, sku=sku, quantity=rng.choice((1, 2)))
        return cart

    view_times: list[float] = []
    place_times: list[float] = []
    for i in range(WARMUP + RUNS):
        cart = filled_cart()
        began = time.perf_counter()
        view = cart_view(cart=cart)
        viewed = time.perf_counter()
        order_place(cart=cart, contact=contact)
        placed = time.perf_counter()
        assert len(view.lines) == 3 and view.can_check_out, view
        if i >= WARMUP:
            view_times.append(viewed - began)
            place_times.append(placed - viewed)

    cart = filled_cart()
    with CaptureQueriesContext(connection) as view_queries:
        cart_view(cart=cart)
    with CaptureQueriesContext(connection) as place_queries:
        order_place(cart=cart, contact=contact)

    result.figures = {
        "runs": RUNS,
        "checkout_p50_ms": ms(percentile(place_times, 50)),
        "checkout_p99_ms": ms(percentile(place_times, 99)),
        "cart_view_p50_ms": ms(percentile(view_times, 50)),
        "cart_view_p99_ms": ms(percentile(view_times, 99)),
        "checkout_queries": len(place_queries),
        "cart_view_queries": len(view_queries),
    }
    result.params = base_params() | {
        "warmup": WARMUP,
        "runs": RUNS,
        "cart": "3 lines of different ambient products, quantities 1–2 (seeded), standard delivery",
        "timed": "cart_view(cart) and order_place(cart, contact), sequential, one connection; "
                 "cart filling not timed",
        "percentile": "nearest rank",
        "seed": SEED,
    }
    return result
