"""Flash sale: 1,000 buy attempts from 64 concurrent clients on a SKU with 300 units.

Every attempt is a shopper's own cart holding one unit (orders.buying.cart.cart_add) checked out with
orders.buying.checkout.order_place; the carts are filled before the sale opens (shoppers put the item in
their carts, then press "buy" when it starts), so the race is the checkout itself. 64 threads,
each on its own database connection, take the next cart until none are left. Only the
order_place call is timed per attempt; orders_per_s is successful orders over the wall time of
the whole race. shop.inventory.SoldOut is the clean "sold out"; anything else is an error.

Correctness, checked afterwards and failing the run: exactly 300 units sold, nothing held beyond
the 300 units, on_hand never negative, every reservation belongs to an order, and once every order
is paid (stock_sell_reserved) the stock is exactly 0.
"""

import queue
import threading
import time
import traceback
from collections import Counter

from tests.bench.common import Result, base_params, make_product, ms, percentile

NAME = "flash_sale"
ATTEMPTS = 1000
CLIENTS = 64
UNITS = 300
PHONE = "13800138000"


def run() -> Result:
    from django.db import connection
    from django.db.models import Min, Sum

    from orders.buying.cart import cart_add
    from orders.buying.checkout import Contact, order_place
    from orders.models import Cart, Order, OrderLine
    from shop.inventory import SoldOut, stock_sell_reserved
    from shop.models import StockMovement, StockRecord, StockReservation

    result = Result(NAME)
    sku = make_product(slug="flash-sale", title="限时秒杀·长街蛏子", price_fen=3990, stock=UNITS)
    contact = Contact(phone=PHONE, recipient="张三", province="浙江省", city="宁波市", district="宁海县",
                      address_detail="长街镇测试路1号")
    carts = queue.SimpleQueue()
    for _ in range(ATTEMPTS):
        cart = Cart.objects.create()
        cart_add(cart=cart, sku=sku, quantity=1)
        carts.put(cart)

    lock = threading.Lock()
    latencies: list[float] = []
    placed_latencies: list[float] = []
    placed: list[str] = []
    outcomes: Counter = Counter()
    error_samples: dict[str, str] = {}
    start = threading.Barrier(CLIENTS + 1)

    def client() -> None:
        try:
            start.wait()
            while True:
                try:
                    cart = carts.get_nowait()
                except queue.Empty:
                    return
                began = time.perf_counter()
                try:
                    order = order_place(cart=cart, contact=contact)
                except SoldOut:
                    elapsed = time.perf_counter() - began
                    with lock:
                        outcomes["sold_out"] += 1
                        latencies.append(elapsed)
                except Exception as error:  # noqa: BLE001 - every other outcome is an error to report
                    elapsed = time.perf_counter() - began
                    with lock:
                        outcomes["errors"] += 1
                        latencies.append(elapsed)
                        error_samples.setdefault(type(error).__name__, traceback.format_exc())
                else:
                    elapsed = time.perf_counter() - began
                    with lock:
                        outcomes["orders"] += 1
                        latencies.append(elapsed)
                        placed_latencies.append(elapsed)
                        placed.append(order.number)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, name=f"buyer-{i}", daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began

    # --- what the database says happened
    units_sold = OrderLine.objects.filter(sku=sku).aggregate(n=Sum("quantity"))["n"] or 0
    reservations = StockReservation.objects.filter(record__sku=sku)
    reserved_total = reservations.aggregate(n=Sum("quantity"))["n"] or 0
    held_active = reservations.filter(status="active").aggregate(n=Sum("quantity"))["n"] or 0
    on_hand = StockRecord.objects.get(sku=sku).on_hand
    order_numbers = set(Order.objects.filter(lines__sku=sku).values_list("number", flat=True))
    orphan_reservations = reservations.exclude(reference__in=order_numbers).count()
    # --- and after every order is paid
    incomplete_sales = sum(not stock_sell_reserved(reference=number).complete for number in placed)
    on_hand_after_paid = StockRecord.objects.get(sku=sku).on_hand
    lowest_on_hand = StockMovement.objects.filter(record__sku=sku).aggregate(n=Min("on_hand_after"))["n"]

    result.figures = {
        "attempts": ATTEMPTS,
        "orders": outcomes["orders"],
        "sold_out": outcomes["sold_out"],
        "errors": outcomes["errors"],
        "orders_per_s": round(outcomes["orders"] / wall, 1),
        "wall_s": round(wall, 2),
        "place_order_p50_ms": ms(percentile(latencies, 50)),
        "place_order_p99_ms": ms(percentile(latencies, 99)),
        "placed_order_p50_ms": ms(percentile(placed_latencies, 50)) if placed_latencies else 0,
        "placed_order_p99_ms": ms(percentile(placed_latencies, 99)) if placed_latencies else 0,
        "units_sold": units_sold,
        "oversold": max(0, reserved_total - UNITS),
        "held_beyond_on_hand": max(0, held_active - on_hand),
        "orphan_reservations": orphan_reservations,
        "on_hand_after_paid": on_hand_after_paid,
        "lowest_on_hand": min(lowest_on_hand, on_hand_after_paid),
    }
    result.params = base_params() | {
        "units": UNITS,
        "attempts": ATTEMPTS,
        "clients": CLIENTS,
        "clients_kind": "threads, one database connection each (closed at thread end)",
        "attempt": "cart_add(quantity=1) before the sale opens, then order_place(cart, contact) in the race",
        "timed": "order_place only; place_order_* over every attempt (orders and sold-outs), "
                 "placed_order_* over successful orders only",
        "percentile": "nearest rank",
        "product": "ambient (standard delivery, address given)",
    }

    f = result.figures
    result.check(f["units_sold"] == UNITS, f"units_sold is {f['units_sold']}, must be {UNITS}")
    result.check(f["oversold"] == 0, f"oversold is {f['oversold']}: reservations hold {reserved_total} of {UNITS}")
    result.check(f["held_beyond_on_hand"] == 0, f"active holds of {held_active} units exceed on_hand {on_hand}")
    result.check(f["errors"] == 0, f"{f['errors']} attempts failed with something other than SoldOut")
    result.check(f["orders"] + f["sold_out"] + f["errors"] == ATTEMPTS, "not every attempt was accounted for")
    result.check(f["orphan_reservations"] == 0, f"{orphan_reservations} reservations belong to no order")
    result.check(incomplete_sales == 0, f"{incomplete_sales} paid orders could not take their units off the shelf")
    result.check(f["on_hand_after_paid"] == 0, f"on_hand after paying every order is {on_hand_after_paid}, must be 0")
    result.check(f["lowest_on_hand"] >= 0, f"on_hand went negative ({lowest_on_hand})")
    for kind, text in error_samples.items():
        result.violations.append(f"first {kind} traceback:\n{text}")
    return result
