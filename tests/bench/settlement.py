"""Settlement at scale: book and aggregate 1,000,000 paid order lines on PostgreSQL.

Generates 4 cooperatives (6 shareholder villages and one workshop each, 5 products each) and
250,000 paid orders of 4 lines in one month, written with COPY (generation is not timed).
Then times:
- booking: orders.accounting.allocations.allocations_book_for_paid_lines over every line (the split of
  DESIGN.md §3, about 8 allocations a line);
- statements: orders.accounting.statements.statement_for for every village of every cooperative for
  that month (what the accountants' village statements show).
Peak memory is the process's maximum resident set size. Correctness: every line's
allocations sum to its amount (checked in SQL over the whole table), and the village
statements add up to the village allocations of the month.
"""

import datetime
import os
import resource
import time

from tests.bench.common import Result, base_params

NAME = "settlement"
LINES = int(os.environ.get("BENCH_SETTLEMENT_LINES", "1000000"))
LINES_PER_ORDER = 4
COOPERATIVES = 4
VILLAGES_PER_COOPERATIVE = 6
PRODUCTS_PER_COOPERATIVE = 5


def _producers():
    from wagtail.models import Page

    from shop.models import (
        Alliance,
        CatalogueIndexPage,
        Category,
        Cooperative,
        ProductPage,
        ProductVariant,
        Shareholding,
        Village,
        Workshop,
    )

    alliance, _ = Alliance.objects.get_or_create(slug="bench-settle", defaults={"name": "结算基准片区", "district": "宁海县"})
    category, _ = Category.objects.get_or_create(slug="bench-settle", defaults={"name": "结算基准"})
    catalogue = CatalogueIndexPage.objects.first() or Page.get_first_root_node().add_child(
        instance=CatalogueIndexPage(title="商品", slug="bench-settle-catalogue")
    )
    products = []
    for c in range(COOPERATIVES):
        cooperative = Cooperative.objects.create(
            name=f"结算基准强村公司{c}", slug=f"bench-settle-{c}", alliance=alliance,
            reserve_rate_bp=1000, labour_per_unit_fen=150 + 50 * c,
        )
        for v in range(VILLAGES_PER_COOPERATIVE):
            village = Village.objects.create(name=f"基准村{c}-{v}", slug=f"bench-v-{c}-{v}", township=f"基准镇{c}", alliance=alliance)
            Shareholding.objects.create(cooperative=cooperative, village=village, shares=10 + 7 * v)
        workshop = Workshop.objects.create(
            name=f"基准工坊{c}", slug=f"bench-w-{c}", workshop_type="factory", cooperative=cooperative,
            village=cooperative.shareholdings.first().village,
        )
        for p in range(PRODUCTS_PER_COOPERATIVE):
            product = ProductPage(title=f"基准商品{c}-{p}", slug=f"bench-settle-{c}-{p}", cooperative=cooperative,
                                  category=category, workshop=workshop)
            product.variants = [ProductVariant(sku=f"BS-{c}-{p}", label="500g", price_fen=1999 + 1313 * p, sort_order=0)]
            catalogue.add_child(instance=product)
            product.save_revision().publish()
            products.append((product.pk, cooperative.pk, f"BS-{c}-{p}", product.title, 1999 + 1313 * p))
    return products


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _generate(products, paid_at: datetime.datetime) -> None:
    from django.db import connection

    orders = LINES // LINES_PER_ORDER
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("SELECT coalesce(max(id), 0) FROM orders_order")
        first_id = cursor.fetchone()[0] + 1
        order_rows, line_rows = [], []

        def order_row(i: int):
            subtotal = 0
            for k in range(LINES_PER_ORDER):
                product = products[(i * LINES_PER_ORDER + k) % len(products)]
                quantity = 1 + (i + k) % 3
                subtotal += product[4] * quantity
                line_rows.append((first_id + i, product[0], product[1], product[2], product[3], "500g", product[4], quantity, product[4] * quantity))
            return (first_id + i, f"BS{first_id + i:010d}", "13800138000", "", "", "", "", "", "", "standard",
                    subtotal, 0, subtotal, 0, "CNY", "paid", paid_at, paid_at, paid_at, "")

        order_columns = ["id", "number", "phone", "email", "recipient", "province", "city", "district", "address_detail",
                         "shipping_method", "subtotal_fen", "shipping_fen", "total_fen", "refunded_fen", "currency",
                         "status", "placed_at", "reserved_until", "paid_at", "note"]
        line_columns = ["order_id", "product_id", "cooperative_id", "sku", "product_title", "variant_label",
                        "unit_price_fen", "quantity", "line_total_fen"]
        batch = 50_000
        for start in range(0, orders, batch):
            order_rows = [order_row(i) for i in range(start, min(start + batch, orders))]
            _copy(cursor, "orders_order", order_columns, order_rows)
            _copy(cursor, "orders_orderline", line_columns, line_rows)
            line_rows.clear()
        cursor.execute("SELECT setval(pg_get_serial_sequence('orders_order', 'id'), (SELECT max(id) FROM orders_order))")
        cursor.execute("ANALYZE orders_order; ANALYZE orders_orderline")


def run() -> Result:
    from django.db import connection
    from django.db.models import Sum

    from orders.accounting.allocations import allocations_book_for_paid_lines
    from orders.accounting.months import month_of
    from orders.accounting.statements import Recipient, statement_for
    from orders.models import Allocation, OrderLine, PayoutRecipient
    from shop.models import Cooperative

    result = Result(NAME)
    paid_at = datetime.datetime(2026, 10, 15, 4, 0, tzinfo=datetime.UTC)
    products = _producers()
    t0 = time.perf_counter()
    _generate(products, paid_at)
    generate_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    written = allocations_book_for_paid_lines(lines=OrderLine.objects.filter(sku__startswith="BS-"), batch_size=5000)
    book_s = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_allocation")

    month = month_of(paid_at)
    cooperatives = list(Cooperative.objects.filter(slug__startswith="bench-settle-").prefetch_related("shareholdings"))
    t0 = time.perf_counter()
    statements = {}
    for cooperative in cooperatives:
        for holding in cooperative.shareholdings.all():
            recipient = Recipient(PayoutRecipient.VILLAGE, village_id=holding.village_id)
            statements[(cooperative.pk, holding.village_id)] = statement_for(cooperative=cooperative, recipient=recipient, month=month)
    statements_s = time.perf_counter() - t0

    # correctness, in SQL over the whole table
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM orders_orderline l
               LEFT JOIN (SELECT line_id, sum(amount_fen) AS total FROM orders_allocation GROUP BY line_id) a ON a.line_id = l.id
               WHERE l.sku LIKE 'BS-%%' AND coalesce(a.total, -1) <> l.line_total_fen"""
        )
        lines_off = cursor.fetchone()[0]
    village_total = Allocation.objects.filter(recipient_type="village", cooperative__in=cooperatives).aggregate(t=Sum("amount_fen"))["t"] or 0
    statement_total = sum(s.closing_fen for s in statements.values())

    result.figures = {
        "lines": LINES,
        "allocations": written,
        "generate_s": round(generate_s, 1),
        "book_s": round(book_s, 1),
        "book_lines_per_s": round(LINES / book_s),
        "village_statements": len(statements),
        "village_statements_s": round(statements_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "lines_not_summing": lines_off,
    }
    result.params = base_params() | {
        "cooperatives": COOPERATIVES, "villages_per_cooperative": VILLAGES_PER_COOPERATIVE,
        "products_per_cooperative": PRODUCTS_PER_COOPERATIVE, "lines_per_order": LINES_PER_ORDER,
        "generation": "COPY into orders_order / orders_orderline (not timed)",
        "booking": "allocations_book_for_paid_lines, batches of 5,000 lines, bulk_create",
        "statements": "statement_for per village of each cooperative for the month",
    }
    result.check(lines_off == 0, f"{lines_off} lines whose allocations do not sum to their amount")
    result.check(statement_total == village_total, f"village statements {statement_total} != village allocations {village_total}")
    return result
