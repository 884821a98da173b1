"""Stock operations. The only code that changes StockRecord.on_hand.

Every change locks the SKU's record, applies the change with a guard that on_hand never goes
below zero, and appends a StockMovement with the resulting level, in one transaction.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from shop.models import StockMovement, StockMovementKind, StockRecord


class InventoryError(Exception):
    """A stock operation that cannot be applied; its message says why, for the person who asked."""


class InsufficientStock(InventoryError):
    pass


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
