"""Settlement periods: review, close, and the labour distribution booked at close.

At close, each workshop's labour pool (every labour allocation booked for it so far, less
what earlier closes distributed) is shared among its participants by the work they recorded
in the period's month, with the largest-remainder split (ties to the lower participant id).
With no recorded work the pool stays undistributed until a later close; a pool at or below
zero carries forward; no participant is ever handed a negative amount. The closed period keeps
a checksum of its rows, which the ledger audit recomputes.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.accounting.checksums import period_rows_checksum
from orders.models import (
    Allocation,
    LabourDistribution,
    PeriodStatus,
    RecipientType,
    SettlementPeriod,
    WorkRecord,
)
from shop.models import Workshop
from shop.money import split_largest_remainder


class PeriodError(Exception):
    """The period cannot move as asked; the message says why."""


def _lock_in_status(*, period: SettlementPeriod, status: str, refusal: str) -> SettlementPeriod:
    """The period re-read under a row lock. Raises PeriodError(refusal) unless it is in status."""
    locked = SettlementPeriod.objects.select_for_update().get(pk=period.pk)
    if locked.status != status:
        raise PeriodError(refusal)
    return locked


def _period_move(*, period: SettlementPeriod, source: str, target: str, refusal: str) -> SettlementPeriod:
    locked = _lock_in_status(period=period, status=source, refusal=refusal)
    locked.status = target
    locked.save(update_fields=["status"])
    return locked


@transaction.atomic
def period_submit_for_review(*, period: SettlementPeriod) -> SettlementPeriod:
    """Stop booking into the period (new entries go to the next open month) for review."""
    return _period_move(
        period=period, source=PeriodStatus.OPEN, target=PeriodStatus.IN_REVIEW,
        refusal=_("Only an open period can be put in review."),
    )


@transaction.atomic
def period_reopen(*, period: SettlementPeriod) -> SettlementPeriod:
    return _period_move(
        period=period, source=PeriodStatus.IN_REVIEW, target=PeriodStatus.OPEN,
        refusal=_("Only a period in review can be reopened; a closed period stays closed."),
    )


def labour_pool_balance_fen(*, workshop: Workshop, up_to: SettlementPeriod) -> int:
    """Labour booked for the workshop in periods up to this one, less what was distributed."""
    booked = Allocation.objects.filter(
        recipient_type=RecipientType.LABOUR, workshop=workshop, period__cooperative=up_to.cooperative,
        period__month__lte=up_to.month,
    ).aggregate(total=Sum("amount_fen"))["total"] or 0
    distributed = LabourDistribution.objects.filter(
        workshop=workshop, period__cooperative=up_to.cooperative, period__month__lte=up_to.month
    ).aggregate(total=Sum("amount_fen"))["total"] or 0
    return booked - distributed


@transaction.atomic
def period_close(*, period: SettlementPeriod, actor: AbstractBaseUser) -> list[LabourDistribution]:
    """Close a period in review: book the labour distribution, then lock it for good.

    Raises PeriodError unless the period is in review and every earlier period is closed.
    """
    period = _lock_in_status(
        period=period, status=PeriodStatus.IN_REVIEW, refusal=_("Put the period in review before closing it.")
    )
    if SettlementPeriod.objects.filter(cooperative=period.cooperative, month__lt=period.month).exclude(status=PeriodStatus.CLOSED).exists():
        raise PeriodError(_("Close the earlier months of this cooperative first."))
    distributions: list[LabourDistribution] = []
    for workshop in Workshop.objects.filter(cooperative=period.cooperative).order_by("pk"):
        balance = labour_pool_balance_fen(workshop=workshop, up_to=period)
        if balance <= 0:
            continue
        work = dict(
            WorkRecord.objects.filter(participant__workshop=workshop, month=period.month)
            .values_list("participant_id")
            .annotate(total=Sum("quantity"))
            .values_list("participant_id", "total")
        )
        if not work:
            continue
        shares = split_largest_remainder(balance, {str(pid): work[pid] for pid in sorted(work)})
        distributions += LabourDistribution.objects.bulk_create(
            LabourDistribution(period=period, workshop=workshop, participant_id=int(pid), work=work[int(pid)], amount_fen=amount)
            for pid, amount in shares.items()
        )
    period.status = PeriodStatus.CLOSED
    period.closed_by = actor
    period.closed_at = timezone.now()
    # Taken in the closing transaction, after the distributions and under the period's row
    # lock, so nothing can be booked into the month between the fingerprint and the close.
    period.checksum = period_checksum(period=period)
    period.save(update_fields=["status", "closed_by", "closed_at", "checksum"])
    return distributions


def period_checksum(*, period: SettlementPeriod) -> str:
    """The SHA-256 of the period's allocations, labour distributions and payouts as they are now."""
    return period_rows_checksum(
        allocations=Allocation.objects.filter(period=period),
        distributions=LabourDistribution.objects.filter(period=period),
        payouts=period.payouts.all(),
    )
