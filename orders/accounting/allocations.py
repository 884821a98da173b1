"""Booking the split ledger: earnings when a payment is captured, reversals when refunded.

Entries go into the cooperative's settlement period of the month (Asia/Shanghai) in which the
money moved; when that month is no longer open (in review or closed), into the next open one,
so a closed period is never edited. Booking is idempotent per line and per refund.

A goods refund reverses only the lines it names, each by what its recipients still hold of
that line (DESIGN.md §3); a refund Stripe later reports failed is undone by new earning
entries that carry the refund, never by changing the reversals. Refunds of duplicate or late
payments touch no allocation.
"""

import datetime
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone
from wagtail.models import Site

from orders.accounting.ledger import (
    HOST,
    LABOUR,
    PLATFORM,
    RESERVE,
    VILLAGE_PREFIX,
    LinePolicy,
    reversal_step,
    split_line,
)
from orders.accounting.months import month_next, month_of
from orders.accounting.periods import period_checksum
from orders.models import (
    Allocation,
    EntryType,
    Order,
    OrderLine,
    PeriodStatus,
    RecipientType,
    Refund,
    RefundKind,
    RefundLine,
    RefundStatus,
    SettlementPeriod,
)
from shop.models import Cooperative, MarketSettings, ProductPage, Village
from shop.policy import SplitPolicy, split_policy_for_product


def period_month_for(*, cooperative: Cooperative, moment: datetime.datetime) -> datetime.date:
    """The month an entry made at `moment` is booked into, creating nothing: the moment's month,
    or the first open month after it.

    Never a month before the cooperative's latest closed month: a backdated entry lands in the
    first open month after it, so a closed month's statement (and every one before it) stays as
    it was closed.
    """
    month = month_of(moment)
    latest_closed = (
        SettlementPeriod.objects.filter(cooperative=cooperative, status=PeriodStatus.CLOSED)
        .aggregate(latest=Max("month"))["latest"]
    )
    if latest_closed is not None and month <= latest_closed:
        month = month_next(latest_closed)
    not_open = set(
        SettlementPeriod.objects.filter(cooperative=cooperative, month__gte=month)
        .exclude(status=PeriodStatus.OPEN)
        .values_list("month", flat=True)
    )
    while month in not_open:
        month = month_next(month)
    return month


def period_open_for(*, cooperative: Cooperative, moment: datetime.datetime) -> SettlementPeriod:
    """The open period an entry made at `moment` is booked into (period_month_for), created if
    needed."""
    month = period_month_for(cooperative=cooperative, moment=moment)
    while True:
        period, _created = SettlementPeriod.objects.get_or_create(cooperative=cooperative, month=month)
        if period.status == PeriodStatus.OPEN:
            return period
        month = month_next(month)  # submitted for review meanwhile


def _site_platform_rate_bp() -> int:
    site = Site.objects.filter(is_default_site=True).first()
    return MarketSettings.for_site(site).platform_rate_bp if site else MarketSettings._meta.get_field("platform_rate_bp").default


def _policy_for(line: OrderLine, cooperative: Cooperative) -> tuple[LinePolicy, int | None]:
    """The line's policy and the workshop whose labour pool gets the labour share."""
    site_rate = _site_platform_rate_bp()
    product = line.product
    if product is not None and product.cooperative_id == cooperative.pk:
        policy: SplitPolicy = split_policy_for_product(product=product, site_platform_rate_bp=site_rate)
        workshop_id = product.workshop_id
    else:
        # The product page is gone: the cooperative's own policy still applies.
        platform = cooperative.platform_rate_bp if cooperative.platform_rate_bp is not None else site_rate
        policy = SplitPolicy(platform, cooperative.reserve_rate_bp, cooperative.labour_per_unit_fen, cooperative.labour_rate_bp)
        workshop_id = None
    has_workshop = workshop_id is not None
    shares = dict(cooperative.shareholdings.values_list("village_id", "shares"))
    return (
        LinePolicy(
            platform_rate_bp=policy.platform_rate_bp,
            reserve_rate_bp=policy.reserve_rate_bp,
            # Labour is paid to a workshop's participants; without a workshop there is no one to pay.
            labour_per_unit_fen=policy.labour_per_unit_fen if has_workshop else 0,
            labour_rate_bp=policy.labour_rate_bp if has_workshop else None,
            host_rate_bp=(line.host_rate_bp or 0) if line.live_session_id else 0,
            shares=shares,
        ),
        workshop_id,
    )


def _entry(line: OrderLine, key: str, amount: int, *, period, workshop_id, entry_type, refund=None, at) -> Allocation:
    fields = {"recipient_type": key}
    if key.startswith(VILLAGE_PREFIX):
        fields = {"recipient_type": RecipientType.VILLAGE, "village_id": int(key.removeprefix(VILLAGE_PREFIX))}
    elif key == HOST:
        fields["host_id"] = line.host_id
    elif key == LABOUR:
        fields["workshop_id"] = workshop_id
    return Allocation(
        line=line, period=period, cooperative_id=period.cooperative_id, amount_fen=amount,
        entry_type=entry_type, refund=refund, booked_at=at, **fields,
    )


def _key(recipient_type: str, village_id: int | None) -> str:
    return f"{VILLAGE_PREFIX}{village_id}" if recipient_type == RecipientType.VILLAGE else recipient_type


def line_holdings(*, line: OrderLine) -> dict[str, int]:
    """What each recipient still holds of a line: the sum of all its entries for the line.

    Keys in the order of DESIGN.md §3; empty for a line that was never booked.
    """
    rows = (
        line.allocations.order_by().values_list("recipient_type", "village_id").annotate(total=Sum("amount_fen"))
    )
    return _ordered({_key(recipient_type, village_id): total for recipient_type, village_id, total in rows})


KEY_ORDER = {PLATFORM: 0, HOST: 1, LABOUR: 2, RESERVE: 3}


def _ordered(parts: dict[str, int]) -> dict[str, int]:
    """Keys in the stable order of DESIGN.md §3: platform, host, labour, reserve, villages by id."""
    def rank(key: str):
        return (KEY_ORDER[key], 0) if key in KEY_ORDER else (4, int(key.removeprefix(VILLAGE_PREFIX)))

    return {key: parts[key] for key in sorted(parts, key=rank)}


class _Booker:
    """Books earnings for many lines, computing each policy and open period once."""

    def __init__(self) -> None:
        self.policies: dict[tuple, tuple[LinePolicy, int | None]] = {}
        self.periods: dict[tuple[int, datetime.date], SettlementPeriod] = {}

    def policy(self, line: OrderLine) -> tuple[LinePolicy, int | None]:
        key = (line.product_id, line.cooperative_id, bool(line.live_session_id), line.host_rate_bp)
        if key not in self.policies:
            self.policies[key] = _policy_for(line, line.cooperative)
        return self.policies[key]

    def period(self, cooperative: Cooperative, at: datetime.datetime) -> SettlementPeriod:
        key = (cooperative.pk, month_of(at))
        if key not in self.periods:
            self.periods[key] = period_open_for(cooperative=cooperative, moment=at)
        return self.periods[key]

    def entries(self, line: OrderLine, at: datetime.datetime) -> list[Allocation]:
        policy, workshop_id = self.policy(line)
        parts = split_line(amount_fen=line.line_total_fen, quantity=line.quantity, policy=policy)
        period = self.period(line.cooperative, at)
        return [
            _entry(line, key, amount, period=period, workshop_id=workshop_id, entry_type=EntryType.EARNING, at=at)
            for key, amount in parts.items()
            if amount
        ]


def policy_as_json(policy: LinePolicy, workshop_id: int | None) -> dict:
    """What a line's earnings were booked with, as stored in OrderLine.booked_policy."""
    return {
        "platform_rate_bp": policy.platform_rate_bp,
        "host_rate_bp": policy.host_rate_bp,
        "reserve_rate_bp": policy.reserve_rate_bp,
        "labour_per_unit_fen": policy.labour_per_unit_fen,
        "labour_rate_bp": policy.labour_rate_bp,
        # JSON object keys are text; village ids come back as int in policy_from_json.
        "shares": {str(village_id): shares for village_id, shares in sorted(policy.shares.items())},
        "workshop_id": workshop_id,
    }


def policy_from_json(data: dict) -> tuple[LinePolicy, int | None]:
    """The LinePolicy and labour workshop stored by policy_as_json. Raises ValueError (or
    KeyError, TypeError) for a stored policy that is not one."""
    policy = LinePolicy(
        platform_rate_bp=int(data["platform_rate_bp"]),
        reserve_rate_bp=int(data["reserve_rate_bp"]),
        labour_per_unit_fen=int(data["labour_per_unit_fen"]),
        labour_rate_bp=None if data["labour_rate_bp"] is None else int(data["labour_rate_bp"]),
        host_rate_bp=int(data["host_rate_bp"]),
        shares={int(village_id): int(shares) for village_id, shares in data["shares"].items()},
    )
    return policy, data["workshop_id"]


@transaction.atomic
def allocations_book_for_order(*, order: Order, at: datetime.datetime | None = None) -> list[Allocation]:
    """Book the earnings of every line of a paid order, and keep on each line the policy they
    were booked with (same transaction). Idempotent per line."""
    at = at or order.paid_at or timezone.now()
    booker = _Booker()
    entries: list[Allocation] = []
    for line in order.lines.select_related("product", "cooperative"):
        if line.cooperative is None or line.allocations.filter(entry_type=EntryType.EARNING).exists():
            continue
        entries += booker.entries(line, at)
        line.booked_policy = policy_as_json(*booker.policy(line))
        line.save(update_fields=["booked_policy"])
    return Allocation.objects.bulk_create(entries)


ALLOCATION_COLUMNS = (
    "line_id", "period_id", "cooperative_id", "recipient_type", "village_id", "workshop_id", "host_id",
    "entry_type", "refund_id", "amount_fen", "booked_at", "created_at",
)


def _row(line_id, key, amount, *, period, workshop_id, host_id, at, now) -> tuple:
    village_id = int(key.removeprefix(VILLAGE_PREFIX)) if key.startswith(VILLAGE_PREFIX) else None
    return (
        line_id, period.pk, period.cooperative_id, RecipientType.VILLAGE if village_id else key, village_id,
        workshop_id if key == LABOUR else None, host_id if key == HOST else None,
        EntryType.EARNING, None, amount, at, now,
    )


def _write_rows(rows: list[tuple]) -> int:
    """Insert allocation rows: COPY on PostgreSQL (millions of rows), bulk_create elsewhere."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as wrapper, wrapper.cursor.copy(
            f"COPY orders_allocation ({', '.join(ALLOCATION_COLUMNS)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows)
    return len(Allocation.objects.bulk_create(Allocation(**dict(zip(ALLOCATION_COLUMNS, row))) for row in rows))


def allocations_book_for_paid_lines(*, lines: QuerySet[OrderLine], batch_size: int = 5000) -> int:
    """Book earnings for many paid lines at once (back-filling, imports, benchmarks).

    The same split, periods and kept policy as allocations_book_for_order, written as plain
    rows in batches (each batch, its rows and its lines' policies, commits on its own, so a long
    run can be interrupted and resumed).
    Lines that already have earnings are skipped. Returns how many allocations were written.
    """
    booker = _Booker()
    cooperatives = {c.pk: c for c in Cooperative.objects.all()}
    products: dict[int, ProductPage | None] = {}
    pending = (
        lines.filter(order__paid_at__isnull=False, cooperative__isnull=False)
        .exclude(allocations__entry_type=EntryType.EARNING)
        .order_by("pk")
        .values_list("pk", "order__paid_at", "product_id", "cooperative_id", "quantity", "line_total_fen",
                     "live_session_id", "host_id", "host_rate_bp")
    )
    now = timezone.now()
    written, rows = 0, []
    # Lines by the policy they are booked with: few policies, so one UPDATE each per batch.
    lines_by_policy: dict[str, tuple[dict, list[int]]] = {}

    def flush() -> int:
        with transaction.atomic():
            count = _write_rows(rows)
            for stored, pks in lines_by_policy.values():
                OrderLine.objects.filter(pk__in=pks).update(booked_policy=stored)
        rows.clear()
        lines_by_policy.clear()
        return count

    for pk, paid_at, product_id, cooperative_id, quantity, amount, live_session_id, host_id, host_rate_bp in pending.iterator(chunk_size=batch_size):
        if product_id not in products:
            products[product_id] = ProductPage.objects.filter(pk=product_id).first() if product_id else None
        # The policy needs only these fields of the line; an unsaved stand-in carries them.
        facts = OrderLine(pk=pk, product=products[product_id], cooperative=cooperatives[cooperative_id],
                          quantity=quantity, live_session_id=live_session_id, host_id=host_id, host_rate_bp=host_rate_bp)
        policy, workshop_id = booker.policy(facts)
        period = booker.period(facts.cooperative, paid_at)
        for key, part in split_line(amount_fen=amount, quantity=quantity, policy=policy).items():
            if part:
                rows.append(_row(pk, key, part, period=period, workshop_id=workshop_id, host_id=host_id, at=paid_at, now=now))
        stored = policy_as_json(policy, workshop_id)
        lines_by_policy.setdefault(json.dumps(stored, sort_keys=True), (stored, []))[1].append(pk)
        if len(rows) >= batch_size * 8:
            written += flush()
    written += flush()
    return written


BOOKED = (RefundStatus.PENDING, RefundStatus.SUCCEEDED)  # refunds Stripe accepted: their reversals stand


@transaction.atomic
def allocations_reverse_for_refund(*, refund: Refund, at: datetime.datetime | None = None) -> list[Allocation]:
    """Bring the ledger in line with a goods refund: reverse its lines while it stands, and put
    them back (_allocations_reinstate) once Stripe reports it failed after they were reversed.

    The reversals are booked line by line into the open period of `at`.

    Each refund line's amount is split over what the line's recipients still hold
    (`reversal_step`), so no entry is ever positive or more than is held, each line's entries
    sum exactly to its refund line, and the refund that empties a line reverses it exactly.
    The delivery fee part reverses nothing. Idempotent: a refund already reversed books
    nothing; a duplicate or late payment refund books nothing. The caller holds the order
    row locked. Raises ValueError if a refund line exceeds what its line still holds.
    """
    if refund.kind != RefundKind.GOODS:
        return []
    if refund.status == RefundStatus.FAILED:
        return _allocations_reinstate(refund=refund, at=at)
    if refund.allocations.filter(entry_type=EntryType.REVERSAL).exists():
        return []
    at = at or timezone.now()
    entries: list[Allocation] = []
    for refund_line in refund.lines.select_related("line__cooperative"):
        line = refund_line.line
        held = line_holdings(line=line)
        if not held:
            continue  # never booked: no cooperative to reverse for
        period = period_open_for(cooperative=line.cooperative, moment=at)
        workshop_id = line.allocations.filter(recipient_type=RecipientType.LABOUR).values_list("workshop_id", flat=True).first()
        entries += [
            _entry(line, key, amount, period=period, workshop_id=workshop_id, entry_type=EntryType.REVERSAL, refund=refund, at=at)
            for key, amount in reversal_step(held=held, refund_fen=refund_line.amount_fen).items()
            if amount
        ]
    return Allocation.objects.bulk_create(entries)


@transaction.atomic
def _allocations_reinstate(*, refund: Refund, at: datetime.datetime | None = None) -> list[Allocation]:
    """Undo the reversals of a refund that failed after they were booked.

    One earning entry per reversal, of the opposite amount, for the same recipient, carrying
    the refund and booked into the open period of `at` (a closed period is never edited).
    Idempotent: a refund already reinstated books nothing.
    """
    if refund.allocations.filter(entry_type=EntryType.EARNING).exists():
        return []
    at = at or timezone.now()
    periods: dict[int, SettlementPeriod] = {}
    entries = []
    for reversed_ in refund.allocations.filter(entry_type=EntryType.REVERSAL).select_related("cooperative"):
        if reversed_.cooperative_id not in periods:
            periods[reversed_.cooperative_id] = period_open_for(cooperative=reversed_.cooperative, moment=at)
        entries.append(Allocation(
            line_id=reversed_.line_id, period=periods[reversed_.cooperative_id], cooperative_id=reversed_.cooperative_id,
            recipient_type=reversed_.recipient_type, village_id=reversed_.village_id, workshop_id=reversed_.workshop_id,
            host_id=reversed_.host_id, entry_type=EntryType.EARNING, refund=refund, amount_fen=-reversed_.amount_fen,
            booked_at=at,
        ))
    return Allocation.objects.bulk_create(entries)


def _booked_refund_lines() -> dict[int, int]:
    """Σ refund lines per order line, over goods refunds whose reversals stand."""
    rows = (
        RefundLine.objects.filter(refund__kind=RefundKind.GOODS, refund__status__in=BOOKED)
        .order_by().values_list("line_id").annotate(total=Sum("amount_fen"))
    )
    return dict(rows)


@dataclass
class LedgerAudit:
    """What ledger_audit_report found: violations, and notes on what could be checked less fully."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def ledger_audit() -> list[str]:
    """Check the ledger over the whole database; returns one sentence per violation
    (ledger_audit_report says what each check covers)."""
    return ledger_audit_report().problems


def ledger_audit_report() -> LedgerAudit:
    """Check the ledger over the whole database: one sentence per violation, plus notes.

    Checked, each recomputed from the orders and refunds themselves: every paid line's
    allocations sum to its amount less its goods refund lines (refunds of duplicate or late
    payments are ignored; a failed refund nets to zero); each line's earnings, per recipient,
    are the split of its amount by the policy kept when it was booked, and each of its
    refunds' reversals is the reversal step over what each recipient held before it (a failed
    refund's reinstatement mirrors its reversal); a goods refund's amount is its lines plus
    its delivery fee part, and only goods refunds carry allocations; a paid order's refunded
    amount is the sum of its goods refunds Stripe accepted; per cooperative and period, the
    allocations sum to what was captured less what was refunded there; only paid orders
    carry allocations; every closed period's rows still have the checksum taken when it
    closed. Lines booked before policies were kept are checked by their sums (and their
    reversals against their recorded earnings), which a note says. The database's triggers
    refuse changes on write; these checks do not rely on them.
    """
    report = LedgerAudit()
    problems = report.problems
    sums = dict(Allocation.objects.order_by().values_list("line_id").annotate(total=Sum("amount_fen")))
    refunded = _booked_refund_lines()
    paid_lines = OrderLine.objects.filter(allocations__entry_type=EntryType.EARNING).distinct().select_related("order")
    for line in paid_lines:
        expected = line.line_total_fen - refunded.get(line.pk, 0)
        if sums.get(line.pk, 0) != expected:
            problems.append(
                f"line {line.pk} of order {line.order.number}: allocations sum to {sums.get(line.pk, 0)} fen, "
                f"expected {expected} (amount {line.line_total_fen} less refunds)"
            )
    problems += _audit_splits(report)
    problems += _audit_refunds()
    problems += _audit_periods()
    problems += _audit_closed_periods()
    earning_lines_without_order_paid = OrderLine.objects.filter(allocations__isnull=False, order__paid_at__isnull=True).distinct()
    for line in earning_lines_without_order_paid:
        problems.append(f"line {line.pk} of unpaid order {line.order.number} has allocations")
    return report


class _Entry(NamedTuple):
    id: int
    key: str
    workshop_id: int | None
    entry_type: str
    refund_id: int | None
    amount_fen: int


def _entries_by_line() -> Iterator[tuple[int, list[_Entry]]]:
    """Every allocation, grouped by line, in booking (id) order; streamed, not all in memory."""
    rows = (
        Allocation.objects.order_by("line_id", "id")
        .values_list(
            "line_id", "id", "recipient_type", "village_id", "workshop_id", "entry_type", "refund_id", "amount_fen",
        )
        .iterator(chunk_size=5000)
    )
    for line_id, group in itertools.groupby(rows, key=itemgetter(0)):
        yield line_id, [
            _Entry(pk, _key(recipient_type, village_id), workshop_id, entry_type, refund_id, amount)
            for _line_id, pk, recipient_type, village_id, workshop_id, entry_type, refund_id, amount in group
        ]


def _batched(items: Iterator, size: int) -> Iterator[list]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _per_key(entries: list[_Entry]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for entry in entries:
        totals[entry.key] = totals.get(entry.key, 0) + entry.amount_fen
    return totals


class _SplitAuditor:
    """Recomputes one line's entries step by step: its earnings from the kept policy, then each
    refund's reversal over what was held before it, and names every recipient that differs."""

    def __init__(self) -> None:
        rows = RefundLine.objects.values_list("refund_id", "line_id", "amount_fen")
        self.refund_lines = {(refund_id, line_id): amount for refund_id, line_id, amount in rows}
        self.villages = dict(Village.objects.values_list("pk", "name"))
        self.refund_keys: dict[int, str] | None = None
        self.unkept = 0

    def recipient(self, key: str) -> str:
        if key.startswith(VILLAGE_PREFIX):
            village_id = int(key.removeprefix(VILLAGE_PREFIX))
            return f"village {self.villages.get(village_id, '?')} (id {village_id})"
        return {LABOUR: "labour pool"}.get(key, key)

    def refund(self, refund_id: int) -> str:
        if self.refund_keys is None:
            self.refund_keys = dict(Refund.objects.values_list("pk", "idempotency_key"))
        return self.refund_keys.get(refund_id, f"#{refund_id}")

    def differences(self, what: str, actual: dict[str, int], expected: dict[str, int], because: str) -> list[str]:
        return [
            f"{what}: {self.recipient(key)} has {actual.get(key, 0)} fen, "
            f"but {because} gives {expected.get(key, 0)} fen"
            for key in _ordered(dict.fromkeys(actual | expected, 0))
            if actual.get(key, 0) != expected.get(key, 0)
        ]

    def audit(self, line: tuple, entries: list[_Entry]) -> list[str]:
        pk, amount, quantity, stored, order_number = line
        where = f"line {pk} of order {order_number}"
        problems: list[str] = []
        booked = [entry for entry in entries if entry.refund_id is None]
        recorded = {key: total for key, total in _per_key(booked).items() if total}
        holdings = recorded
        if stored is None:
            self.unkept += 1
        else:
            try:
                policy, workshop_id = policy_from_json(stored)
                split = split_line(amount_fen=amount, quantity=quantity, policy=policy)
                expected = {key: part for key, part in split.items() if part}
            except (KeyError, TypeError, ValueError) as error:
                problems.append(
                    f"{where}: its kept split policy cannot be read ({error}); its earnings are checked by their sum only"
                )
            else:
                problems += self.differences(where, recorded, expected, "the policy it was booked with")
                if any(entry.key == LABOUR and entry.workshop_id != workshop_id for entry in booked):
                    problems.append(
                        f"{where}: labour is booked to a workshop other than the one it was booked with ({workshop_id})"
                    )
                # Later steps start from what should be held, so one tampered step is named once.
                holdings = expected
        problems += self.audit_refunds(where, pk, holdings, [entry for entry in entries if entry.refund_id is not None])
        return problems

    def audit_refunds(self, where: str, line_id: int, holdings: dict[str, int], entries: list[_Entry]) -> list[str]:
        problems: list[str] = []
        steps: dict[tuple[int, str], list[_Entry]] = {}
        for entry in entries:  # in id order, so steps come in the order they were booked
            steps.setdefault((entry.refund_id, entry.entry_type), []).append(entry)
        reversed_by: dict[int, dict[str, int]] = {}
        holdings = dict(holdings)
        for (refund_id, entry_type), step_entries in steps.items():
            actual = _per_key(step_entries)
            what = f"{where}, refund {self.refund(refund_id)}"
            if entry_type == EntryType.REVERSAL:
                refund_fen = self.refund_lines.get((refund_id, line_id))
                try:
                    if refund_fen is None:
                        raise ValueError("the refund does not name this line")
                    step = reversal_step(held=_ordered(holdings), refund_fen=refund_fen)
                    expected = {key: part for key, part in step.items() if part}
                except ValueError as error:
                    problems.append(f"{what}: its reversal cannot be recomputed ({error})")
                    expected = actual
                else:
                    because = "reversing by what each recipient held"
                    problems += self.differences(what + " (reversal)", actual, expected, because)
                reversed_by[refund_id] = expected
            else:
                if refund_id not in reversed_by:
                    problems.append(f"{what}: reinstated without a reversal before it")
                    expected = actual
                else:
                    expected = {key: -part for key, part in reversed_by[refund_id].items()}
                    problems += self.differences(what + " (reinstatement)", actual, expected, "mirroring its reversal")
            for key, part in expected.items():
                holdings[key] = holdings.get(key, 0) + part
        return problems


def _audit_splits(report: LedgerAudit) -> list[str]:
    """Each line's entries recomputed recipient by recipient (_SplitAuditor); notes how many lines
    had no kept policy."""
    auditor = _SplitAuditor()
    problems: list[str] = []
    for batch in _batched(_entries_by_line(), 1000):
        lines = {
            row[0]: row for row in OrderLine.objects.filter(pk__in=[line_id for line_id, _entries in batch])
            .values_list("pk", "line_total_fen", "quantity", "booked_policy", "order__number")
        }
        for line_id, entries in batch:
            problems += auditor.audit(lines[line_id], entries)
    if auditor.unkept:
        report.notes.append(
            f"{auditor.unkept} line(s) were booked before split policies were kept with them: their earnings are "
            "checked by their sums only, and their refunds' reversals against their recorded earnings."
        )
    return problems


def _audit_closed_periods() -> list[str]:
    """Every closed period's rows recomputed against the checksum taken when it closed."""
    problems = []
    closed = SettlementPeriod.objects.filter(status=PeriodStatus.CLOSED).select_related("cooperative").order_by("pk")
    for period in closed:
        if not period.checksum:
            problems.append(
                f"period {period} is closed but keeps no checksum of its rows; it was not closed by period_close"
            )
        elif period_checksum(period=period) != period.checksum:
            problems.append(
                f"period {period}: its allocations, labour distributions or payouts changed after it closed "
                "(their checksum differs from the one taken at close)"
            )
    return problems


def _audit_refunds() -> list[str]:
    problems = []
    goods = Refund.objects.filter(kind=RefundKind.GOODS).annotate(lines_fen=Sum("lines__amount_fen")).select_related("order")
    for refund in goods:
        if refund.amount_fen != (refund.lines_fen or 0) + refund.delivery_fee_fen:
            problems.append(
                f"refund {refund.idempotency_key} of order {refund.order.number}: amount {refund.amount_fen} fen is not "
                f"its lines ({refund.lines_fen or 0}) plus its delivery fee part ({refund.delivery_fee_fen})"
            )
    for refund in Refund.objects.exclude(kind=RefundKind.GOODS).filter(allocations__isnull=False).distinct().select_related("order"):
        problems.append(f"refund {refund.idempotency_key} of order {refund.order.number} is a {refund.kind} payment refund but has allocations")
    accepted = dict(
        Refund.objects.filter(kind=RefundKind.GOODS, status__in=BOOKED).order_by().values_list("order_id").annotate(total=Sum("amount_fen"))
    )
    for order in Order.objects.filter(lines__allocations__entry_type=EntryType.EARNING).distinct():
        if order.refunded_fen != accepted.get(order.pk, 0):
            problems.append(
                f"order {order.number}: refunded {order.refunded_fen} fen, but its accepted goods refunds sum to {accepted.get(order.pk, 0)}"
            )
    return problems


def _audit_periods() -> list[str]:
    """Σ allocations of each period = captured − refunded in it, recomputed independently.

    Captured: each paid line's amount, in the period of its earnings. Refunded: each refund
    line's amount, negative in the period its reversal went to and, when the refund failed
    afterwards, positive again in the period of the reinstatement.
    """
    booked = dict(Allocation.objects.order_by().values_list("period_id").annotate(total=Sum("amount_fen")))
    expected: dict[int, int] = {}

    def add(period_id: int, amount: int) -> None:
        expected[period_id] = expected.get(period_id, 0) + amount

    earning_period = dict(
        Allocation.objects.filter(entry_type=EntryType.EARNING, refund__isnull=True)
        .order_by().values_list("line_id", "period_id").distinct()
    )
    for line_id, amount in OrderLine.objects.filter(pk__in=earning_period).values_list("pk", "line_total_fen"):
        add(earning_period[line_id], amount)
    refund_lines = {(refund_id, line_id): amount for refund_id, line_id, amount in RefundLine.objects.values_list("refund_id", "line_id", "amount_fen")}
    for entry_type, sign in ((EntryType.REVERSAL, -1), (EntryType.EARNING, 1)):
        # order_by(): the default ordering would add its columns to the DISTINCT.
        entries = Allocation.objects.filter(entry_type=entry_type, refund__isnull=False).order_by()
        for refund_id, line_id, period_id in entries.values_list("refund_id", "line_id", "period_id").distinct():
            add(period_id, sign * refund_lines.get((refund_id, line_id), 0))
    problems = []
    for period in SettlementPeriod.objects.filter(pk__in=set(booked) | set(expected)).select_related("cooperative"):
        if booked.get(period.pk, 0) != expected.get(period.pk, 0):
            problems.append(
                f"period {period}: allocations sum to {booked.get(period.pk, 0)} fen, but captured less refunded "
                f"there is {expected.get(period.pk, 0)} fen"
            )
    return problems
