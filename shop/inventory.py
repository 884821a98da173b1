"""Stock operations. The only code that changes StockRecord.on_hand or holds stock.

Every change locks the SKU's record, applies the change with a guard that on_hand never goes
below zero, and appends a StockMovement with the resulting level, in one transaction.

Checkout holds stock with StockReservation rows: available = on_hand − units held by active,
unexpired reservations. Reserving locks the records first (in SKU order, so two checkouts never
wait on each other crosswise), which on PostgreSQL is SELECT … FOR UPDATE and on SQLite the
database-wide write lock of an IMMEDIATE transaction: either way no two checkouts can both see
the same last unit. Paying converts a reservation into a sale (on_hand goes down).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.models import ReservationStatus, StockMovement, StockMovementKind, StockRecord, StockReservation


class InventoryError(Exception):
    """A stock operation that cannot be applied; its message says why, for the person who asked."""


class InsufficientStock(InventoryError):
    pass


class SoldOut(InventoryError):
    """Not enough units available for a reservation; .shortages maps SKU to units available."""

    def __init__(self, shortages: Mapping[str, int]):
        self.shortages = dict(shortages)
        names = "、".join(f"{sku}（{_('%(n)s left') % {'n': left}}）" for sku, left in self.shortages.items())
        super().__init__(_("Sold out: %(items)s.") % {"items": names})


def _locked_record(sku: str) -> StockRecord:
    record, _created = StockRecord.objects.get_or_create(sku=sku)
    return StockRecord.objects.select_for_update().get(pk=record.pk)


@transaction.atomic
def stock_change(
    *,
    sku: str,
    quantity: int,
    kind: str,
    reason: str = "",
    reference: str = "",
    actor: AbstractBaseUser | None = None,
) -> StockMovement:
    """Apply a signed change to a SKU's units on hand and record it.

    Raises InsufficientStock if on_hand would go below zero (nothing is changed).
    """
    if kind not in StockMovementKind.values:
        raise InventoryError(f"Unknown stock movement kind {kind!r}.")
    record = _locked_record(sku)
    new_level = record.on_hand + quantity
    if new_level < 0:
        raise InsufficientStock(
            _("Only %(on_hand)s units of %(sku)s are on hand; cannot remove %(quantity)s.")
            % {"on_hand": record.on_hand, "sku": sku, "quantity": -quantity}
        )
    record.on_hand = new_level
    record.save(update_fields=["on_hand", "updated_at"])
    return StockMovement.objects.create(
        record=record,
        kind=kind,
        quantity=quantity,
        on_hand_after=new_level,
        reason=reason,
        reference=reference,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def stock_receive(
    *, sku: str, quantity: int, reason: str = "", reference: str = "", actor: AbstractBaseUser | None = None
) -> StockMovement:
    """Add received units. Raises InventoryError unless quantity is positive."""
    if quantity <= 0:
        raise InventoryError(_("Received quantity must be at least 1."))
    return stock_change(
        sku=sku, quantity=quantity, kind=StockMovementKind.RECEIVE, reason=reason, reference=reference, actor=actor
    )


def stock_adjust(*, sku: str, delta: int, reason: str, actor: AbstractBaseUser | None = None) -> StockMovement:
    """Correct the level after a count, breakage or loss. A reason is required.

    Raises InventoryError for a zero change or a missing reason, InsufficientStock if the
    result would be negative.
    """
    if delta == 0:
        raise InventoryError(_("An adjustment must change the level."))
    if not reason.strip():
        raise InventoryError(_("Give a reason for the adjustment (for example: stocktake, damaged)."))
    return stock_change(sku=sku, quantity=delta, kind=StockMovementKind.ADJUST, reason=reason.strip(), actor=actor)


def _held(record: StockRecord, *, now: datetime.datetime, exclude_reference: str = "") -> int:
    reservations = record.reservations.filter(status=ReservationStatus.ACTIVE, expires_at__gt=now)
    if exclude_reference:
        reservations = reservations.exclude(reference=exclude_reference)
    return reservations.aggregate(total=Sum("quantity"))["total"] or 0


def stock_available_now(*, skus: list[str]) -> dict[str, int]:
    """Units that can be reserved now for each SKU: on hand minus active, unexpired holds."""
    now = timezone.now()
    levels = dict(StockRecord.objects.filter(sku__in=skus).values_list("sku", "on_hand"))
    held = dict(
        StockReservation.objects.filter(record__sku__in=skus, status=ReservationStatus.ACTIVE, expires_at__gt=now)
        .values_list("record__sku")
        .annotate(total=Sum("quantity"))
        .values_list("record__sku", "total")
    )
    return {sku: max(levels.get(sku, 0) - held.get(sku, 0), 0) for sku in skus}


def _lock_records(skus) -> dict[str, StockRecord]:
    for sku in sorted(set(skus)):
        StockRecord.objects.get_or_create(sku=sku)
    return {record.sku: record for record in StockRecord.objects.select_for_update().filter(sku__in=skus).order_by("sku")}


@transaction.atomic
def stock_reserve(*, quantities: Mapping[str, int], reference: str, expires_at: datetime.datetime) -> list[StockReservation]:
    """Hold the given units of each SKU for `reference` until `expires_at`, all or nothing.

    Raises SoldOut naming every SKU that lacks units (nothing is held then).
    """
    now = timezone.now()
    records = _lock_records(quantities)
    shortages = {}
    for sku, quantity in quantities.items():
        available = records[sku].on_hand - _held(records[sku], now=now)
        if quantity > available:
            shortages[sku] = max(available, 0)
    if shortages:
        raise SoldOut(shortages)
    return [
        StockReservation.objects.create(record=records[sku], quantity=quantity, reference=reference, expires_at=expires_at)
        for sku, quantity in sorted(quantities.items())
    ]


@transaction.atomic
def stock_hold_shrink(*, reference: str, quantities: Mapping[str, int]) -> None:
    """Hand units of `reference`'s active holds back, per SKU: a pool giving units to a checkout.

    The SKU rows stay locked until the caller's transaction ends, so the caller's own
    stock_reserve takes exactly those units. Raises SoldOut when a hold is smaller than asked.
    """
    now = timezone.now()
    records = _lock_records(quantities)
    holds = {
        hold.record_id: hold
        for hold in StockReservation.objects.select_for_update().filter(
            reference=reference, status=ReservationStatus.ACTIVE, expires_at__gt=now, record__in=records.values()
        )
    }
    shortages = {}
    for sku, quantity in quantities.items():
        hold = holds.get(records[sku].pk)
        if hold is None or hold.quantity < quantity:
            shortages[sku] = hold.quantity if hold else 0
    if shortages:
        raise SoldOut(shortages)
    for sku, quantity in quantities.items():
        hold = holds[records[sku].pk]
        if hold.quantity == quantity:
            hold.status = ReservationStatus.RELEASED  # empty: a hold never holds zero units
        else:
            hold.quantity -= quantity
        hold.save(update_fields=["quantity", "status"])


@dataclass(frozen=True)
class ConversionResult:
    sold: dict[str, int]
    shortages: dict[str, int]

    @property
    def complete(self) -> bool:
        return not self.shortages


@transaction.atomic
def stock_sell_reserved(*, reference: str, actor: AbstractBaseUser | None = None) -> ConversionResult:
    """Turn the reservations of `reference` into sales, taking units off on_hand.

    A reservation that expired (or was released) before payment still sells if the units are
    free now; if they are not, nothing is sold for the whole reference and the shortages are
    returned, so the caller can refund. Idempotent: a reference already sold is not sold twice.
    """
    now = timezone.now()
    reservations = list(StockReservation.objects.filter(reference=reference).select_related("record"))
    converted = [r for r in reservations if r.status == ReservationStatus.CONVERTED]
    if converted:
        return ConversionResult(sold={r.record.sku: r.quantity for r in converted}, shortages={})
    pending = reservations
    records = StockRecord.objects.select_for_update().filter(pk__in=[p.record_id for p in pending]).order_by("sku")
    by_pk = {record.pk: record for record in records}
    shortages = {}
    for reservation in pending:
        record = by_pk[reservation.record_id]
        # Units held by other checkouts are theirs. A live hold of this reference always fits
        # unless staff wrote units off meanwhile; a lapsed one (expired, or released when the
        # order expired) sells only if the units are still free.
        free = record.on_hand - _held(record, now=now, exclude_reference=reference)
        if reservation.quantity > free:
            shortages[record.sku] = max(free, 0)
    if shortages:
        return ConversionResult(sold={}, shortages=shortages)
    sold = {}
    for reservation in pending:
        record = by_pk[reservation.record_id]
        stock_change(
            sku=record.sku, quantity=-reservation.quantity, kind=StockMovementKind.SELL, reference=reference, actor=actor
        )
        reservation.status = ReservationStatus.CONVERTED
        reservation.save(update_fields=["status"])
        sold[record.sku] = reservation.quantity
    return ConversionResult(sold=sold, shortages={})


@transaction.atomic
def stock_release(*, reference: str) -> int:
    """Release every active reservation of `reference` (cancelled or expired checkout).

    Returns how many were released; idempotent.
    """
    return StockReservation.objects.filter(reference=reference, status=ReservationStatus.ACTIVE).update(
        status=ReservationStatus.RELEASED
    )


def stock_release_expired(*, now: datetime.datetime | None = None) -> int:
    """Mark reservations past their expiry as released (housekeeping; reads already ignore them)."""
    now = now or timezone.now()
    return StockReservation.objects.filter(status=ReservationStatus.ACTIVE, expires_at__lte=now).update(
        status=ReservationStatus.RELEASED
    )
