"""What the accountants' workbench and the accounting API read: a cooperative's month in figures.

Selectors only (no writes): totals of a month's allocations by recipient type and by village,
labour pool balances per workshop, what closing the period would distribute (mirroring
orders.accounting.periods.period_close, which stays the only code that books it), the series behind the
workbench charts and the recipients a payout can go to (statements are
orders.accounting.statements'). Every amount is integer
fen; months are first days of Asia/Shanghai months, as in the ledger.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.accounting.allocations import period_month_for
from orders.accounting.months import month_first
from orders.accounting.periods import labour_pool_balance_fen
from orders.accounting.statements import Recipient, payouts_available_fen, recipient_names
from orders.models import (
    Allocation,
    EntryType,
    LabourDistribution,
    Payout,
    PayoutRecipient,
    PeriodStatus,
    RecipientType,
    SettlementPeriod,
    WorkRecord,
)
from shop.models import Cooperative, Participant, Village, Workshop
from shop.money import split_largest_remainder

# The order recipient types are listed in, on screen and in the API (DESIGN.md §3).
RECIPIENT_TYPE_ORDER = [
    RecipientType.PLATFORM, RecipientType.HOST, RecipientType.LABOUR, RecipientType.RESERVE, RecipientType.VILLAGE,
]


def period_of(*, cooperative: Cooperative, month: datetime.date) -> SettlementPeriod | None:
    """The cooperative's period of the month, or None when nothing was ever booked into it."""
    return SettlementPeriod.objects.filter(cooperative=cooperative, month=month_first(month)).first()


# --- a month's totals ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    earned_fen: int = 0
    reversed_fen: int = 0  # zero or negative, as booked

    @property
    def net_fen(self) -> int:
        return self.earned_fen + self.reversed_fen


@dataclass
class PeriodTotals:
    by_type: dict[str, Figures]  # every RecipientType value, in RECIPIENT_TYPE_ORDER
    by_village: list[tuple[Village, Figures]]  # shareholder villages first listed even when idle
    total: Figures


def period_totals(*, cooperative: Cooperative, month: datetime.date) -> PeriodTotals:
    """Σ of the allocations booked into the cooperative's period of the month, earned and reversed.

    Two queries. The totals cover the allocations only (payouts and labour distributions are
    on the statements), so `total.net_fen` equals captured − refunded booked into the period.
    """
    month = month_first(month)
    rows = (
        Allocation.objects.filter(cooperative=cooperative, period__month=month)
        .values_list("recipient_type", "village_id", "entry_type")
        .order_by()
        .annotate(total=Sum("amount_fen"))
    )
    by_type: dict[str, list[int]] = {t: [0, 0] for t in RECIPIENT_TYPE_ORDER}
    by_village: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for recipient_type, village_id, entry_type, total in rows:
        slot = 0 if entry_type == EntryType.EARNING else 1
        by_type[recipient_type][slot] += total
        if recipient_type == RecipientType.VILLAGE:
            by_village[village_id][slot] += total
    shareholders = list(cooperative.shareholdings.values_list("village_id", flat=True))
    village_ids = shareholders + sorted(set(by_village) - set(shareholders))
    villages = Village.objects.in_bulk(village_ids)
    figures = {t: Figures(*values) for t, values in by_type.items()}
    return PeriodTotals(
        by_type=figures,
        by_village=[(villages[pk], Figures(*by_village[pk])) for pk in village_ids if pk in villages],
        total=Figures(sum(f.earned_fen for f in figures.values()), sum(f.reversed_fen for f in figures.values())),
    )


# --- labour pools and the close ----------------------------------------------------------------


@dataclass
class LabourPool:
    workshop: Workshop
    booked_fen: int  # labour allocations booked into this month (net of reversals)
    balance_fen: int  # booked in months up to this one, less what closes of those months distributed
    work: int  # work recorded for the month by the workshop's participants


def labour_pools(*, cooperative: Cooperative, month: datetime.date) -> list[LabourPool]:
    """Each workshop of the cooperative with its labour pool as of the end of the month.

    The same balance as orders.accounting.periods.labour_pool_balance_fen (distributions of later
    months not subtracted), for every workshop in a fixed number of queries.
    """
    month = month_first(month)

    def by_workshop(queryset, key: str, value: str) -> dict[int, int]:
        return dict(queryset.values_list(key).order_by().annotate(total=Sum(value)).values_list(key, "total"))

    labour = Allocation.objects.filter(cooperative=cooperative, recipient_type=RecipientType.LABOUR)
    booked = by_workshop(labour.filter(period__month=month), "workshop_id", "amount_fen")
    booked_to_date = by_workshop(labour.filter(period__month__lte=month), "workshop_id", "amount_fen")
    distributed = by_workshop(
        LabourDistribution.objects.filter(period__cooperative=cooperative, period__month__lte=month), "workshop_id", "amount_fen"
    )
    work = by_workshop(
        WorkRecord.objects.filter(participant__workshop__cooperative=cooperative, month=month),
        "participant__workshop_id", "quantity",
    )
    return [
        LabourPool(
            workshop=workshop, booked_fen=booked.get(workshop.pk, 0),
            balance_fen=booked_to_date.get(workshop.pk, 0) - distributed.get(workshop.pk, 0), work=work.get(workshop.pk, 0),
        )
        for workshop in Workshop.objects.filter(cooperative=cooperative).order_by("pk")
    ]


@dataclass
class WorkshopShare:
    participant: Participant
    work: int
    amount_fen: int


@dataclass
class WorkshopPreview:
    workshop: Workshop
    balance_fen: int
    shares: list[WorkshopShare] = field(default_factory=list)
    outcome: str = "distributed"  # or "no_work" (kept undistributed) or "carried" (at or below zero)

    @property
    def distributed_fen(self) -> int:
        return sum(share.amount_fen for share in self.shares)


@dataclass
class ClosePreview:
    workshops: list[WorkshopPreview]
    blockers: list[str]  # why closing would be refused now; empty when it can close

    @property
    def distributed_fen(self) -> int:
        return sum(w.distributed_fen for w in self.workshops)


def close_preview(*, period: SettlementPeriod) -> ClosePreview:
    """What orders.accounting.periods.period_close would distribute if run now, and what would stop it.

    Uses the same balance (labour_pool_balance_fen), the same recorded work (WorkRecord of the
    period's month, summed per participant) and the same largest-remainder split, so the
    preview and the booking agree; the close itself recomputes everything under its lock.
    """
    blockers = []
    if period.status != PeriodStatus.IN_REVIEW:
        blockers.append(_("Put the period in review before closing it."))
    earlier_open = SettlementPeriod.objects.filter(cooperative=period.cooperative, month__lt=period.month).exclude(
        status=PeriodStatus.CLOSED
    )
    if earlier_open.exists():
        months = ", ".join(f"{p.month:%Y-%m}" for p in earlier_open.order_by("month"))
        blockers.append(_("Close the earlier months of this cooperative first: %(months)s.") % {"months": months})
    previews = []
    for workshop in Workshop.objects.filter(cooperative=period.cooperative).order_by("pk"):
        balance = labour_pool_balance_fen(workshop=workshop, up_to=period)
        preview = WorkshopPreview(workshop=workshop, balance_fen=balance)
        previews.append(preview)
        if balance <= 0:
            preview.outcome = "carried"
            continue
        work = dict(
            WorkRecord.objects.filter(participant__workshop=workshop, month=period.month)
            .values_list("participant_id").order_by().annotate(total=Sum("quantity"))
            .values_list("participant_id", "total")
        )
        if not work:
            preview.outcome = "no_work"
            continue
        shares = split_largest_remainder(balance, {str(pid): work[pid] for pid in sorted(work)})
        participants = Participant.objects.in_bulk(work.keys())
        preview.shares = [
            WorkshopShare(participant=participants[int(pid)], work=work[int(pid)], amount_fen=amount)
            for pid, amount in shares.items()
        ]
    return ClosePreview(workshops=previews, blockers=blockers)


# --- chart series --------------------------------------------------------------------------------


def village_income_by_month(*, cooperative: Cooperative, months: list[datetime.date]) -> list[tuple[Village, list[int]]]:
    """Each village's net allocations (earned + reversed) per month, in the order of `months`.

    The shareholder villages are listed even when idle, then any other village that earned.
    """
    rows = (
        Allocation.objects.filter(cooperative=cooperative, recipient_type=RecipientType.VILLAGE, period__month__in=months)
        .values_list("village_id", "period__month").order_by().annotate(total=Sum("amount_fen"))
    )
    series: dict[int, dict[datetime.date, int]] = defaultdict(dict)
    for village_id, month, total in rows:
        series[village_id][month] = total
    shareholders = list(cooperative.shareholdings.values_list("village_id", flat=True))
    village_ids = shareholders + sorted(set(series) - set(shareholders))
    villages = Village.objects.in_bulk(village_ids)
    return [(villages[pk], [series[pk].get(m, 0) for m in months]) for pk in village_ids if pk in villages]


@dataclass(frozen=True)
class LowIncomeMonth:
    month: datetime.date
    amount_fen: int
    earners: int


def low_income_income_by_month(*, cooperative: Cooperative, months: list[datetime.date]) -> list[LowIncomeMonth]:
    """Labour distributed to low-income participants per month, and how many of them earned."""
    rows = {
        month: (total, earners)
        for month, total, earners in LabourDistribution.objects.filter(
            period__cooperative=cooperative, period__month__in=months, participant__is_low_income=True, amount_fen__gt=0,
        )
        .values_list("period__month").order_by()
        .annotate(total=Sum("amount_fen"), earners=Count("participant", distinct=True))
        .values_list("period__month", "total", "earners")
    }
    return [LowIncomeMonth(m, *rows.get(m, (0, 0))) for m in months]


# --- payouts ------------------------------------------------------------------------


def recipient_key(recipient: Recipient) -> str:
    """"village:12", "participant:5", "host:3", "reserve", "platform": a recipient in a URL or a form."""
    own_id = recipient.village_id or recipient.participant_id or recipient.host_id
    return f"{recipient.type}:{own_id}" if own_id is not None else recipient.type


def recipient_from_key(key: str) -> Recipient:
    """The inverse of recipient_key. Raises ValueError for anything else."""
    kind, _sep, raw_id = key.partition(":")
    if kind in (PayoutRecipient.RESERVE, PayoutRecipient.PLATFORM) and not raw_id:
        return Recipient(kind)
    if kind not in (PayoutRecipient.VILLAGE, PayoutRecipient.PARTICIPANT, PayoutRecipient.HOST) or not raw_id.isdigit():
        raise ValueError(f"Unknown recipient {key!r}.")
    return Recipient(kind, **{f"{kind}_id": int(raw_id)})


def payout_recipients(*, cooperative: Cooperative) -> list[tuple[Recipient, str, int]]:
    """Everyone of the cooperative a payout can go to, with a display name and what a payout made
    today can be (payouts_available_fen of the month it would be booked into).

    Shareholder villages, the workshops' participants, the hosts that earned here, the reserve
    and the platform. Nobody of another cooperative is ever listed.
    """
    recipients = [Recipient(PayoutRecipient.VILLAGE, village_id=pk)
                  for pk in cooperative.shareholdings.values_list("village_id", flat=True)]
    recipients += [
        Recipient(PayoutRecipient.PARTICIPANT, participant_id=pk)
        for pk in Participant.objects.filter(workshop__cooperative=cooperative)
        .order_by("workshop_id", "pk").values_list("pk", flat=True)
    ]
    recipients += [
        Recipient(PayoutRecipient.HOST, host_id=host_id)
        for host_id in Allocation.objects.filter(cooperative=cooperative, recipient_type=RecipientType.HOST, host_id__isnull=False)
        .values_list("host_id", flat=True).order_by("host_id").distinct()
    ]
    recipients += [Recipient(PayoutRecipient.RESERVE), Recipient(PayoutRecipient.PLATFORM)]
    names = recipient_names(recipients)
    month = period_month_for(cooperative=cooperative, moment=timezone.now())
    available = payouts_available_fen(cooperative=cooperative, recipients=recipients, month=month)
    return [(r, names[r], available[r]) for r in recipients]


def payouts_of(*, cooperative: Cooperative):
    """The cooperative's recorded payouts, newest first, with what the listing shows."""
    return (
        Payout.objects.filter(period__cooperative=cooperative)
        .select_related("village", "participant", "period", "recorded_by")
        .order_by("-paid_on", "-id")
    )


def months_with_periods(*, cooperative: Cooperative) -> list[SettlementPeriod]:
    return list(SettlementPeriod.objects.filter(cooperative=cooperative).order_by("-month"))
