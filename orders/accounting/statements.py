"""Statements and payouts: what each recipient earned, had reversed and was paid, by period.

A statement for a recipient of a cooperative over one period: opening balance (everything
before the period), earned, reversed and paid out in the period, closing balance. Amounts
come from the immutable allocations (villages, host, platform, reserve), the labour
distributions (participants) and the recorded payouts; nothing is stored twice.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet, Sum, Value
from django.utils.translation import gettext as _

from orders.accounting.allocations import period_open_for
from orders.accounting.months import REPORTING_TZ, month_first, month_format
from orders.models import (
    Allocation,
    EntryType,
    LabourDistribution,
    Payout,
    PayoutRecipient,
    RecipientType,
    SettlementPeriod,
)
from shop.hooks import hook
from shop.models import Cooperative, Participant, Shareholding, Village
from shop.money import format_fen


class PayoutError(Exception):
    """The payout cannot be recorded; the message says why."""


@dataclass(frozen=True)
class Recipient:
    type: str  # a PayoutRecipient value
    village_id: int | None = None
    participant_id: int | None = None
    host_id: int | None = None


@dataclass(frozen=True)
class Statement:
    opening_fen: int
    earned_fen: int
    reversed_fen: int
    paid_out_fen: int

    @property
    def closing_fen(self) -> int:
        return self.opening_fen + self.earned_fen + self.reversed_fen - self.paid_out_fen


# Statements are listed in this order of recipient kinds, then by name.
KIND_ORDER = [
    PayoutRecipient.VILLAGE, PayoutRecipient.PARTICIPANT, PayoutRecipient.HOST,
    PayoutRecipient.RESERVE, PayoutRecipient.PLATFORM,
]

# A village, participant or host is identified by its own id; the reserve and the platform by
# their kind alone. (Allocations carry no participant: participants earn through distributions.)
_ALLOCATION_ID_FIELDS = {PayoutRecipient.VILLAGE: "village_id", PayoutRecipient.HOST: "host_id"}
_PAYOUT_ID_FIELDS = {**_ALLOCATION_ID_FIELDS, PayoutRecipient.PARTICIPANT: "participant_id"}


def recipient_of(recipient_type: str, *, village_id=None, participant_id=None, host_id=None) -> Recipient:
    """The Recipient whose statement an allocation, distribution or payout row counts towards."""
    own_ids = {"village_id": village_id, "participant_id": participant_id, "host_id": host_id}
    field = _PAYOUT_ID_FIELDS.get(recipient_type)
    return Recipient(recipient_type, **({field: own_ids[field]} if field else {}))


def _rows_of(recipients: Iterable[Recipient], id_fields: dict[str, str]) -> Q:
    """The rows (allocations or payouts) that count towards any of the recipients.

    A recipient without its id (a host allocation booked without a host, say) gets the rows
    of its kind that lack one too. No recipients: a condition nothing meets.
    """
    wanted: dict[str, set[int | None]] = defaultdict(set)
    for recipient in recipients:
        field = id_fields.get(recipient.type)
        wanted[recipient.type].add(getattr(recipient, field) if field else None)
    condition = Q(pk__in=[])
    for kind, ids in wanted.items():
        field = id_fields.get(kind)
        if field is None:
            condition |= Q(recipient_type=kind)
            continue
        if ids - {None}:
            condition |= Q(recipient_type=kind, **{f"{field}__in": ids - {None}})
        if None in ids:
            condition |= Q(recipient_type=kind, **{f"{field}__isnull": True})
    return condition


def recipient_allocations(cooperative: Cooperative, recipient: Recipient) -> QuerySet[Allocation]:
    """A recipient's allocations in one cooperative (villages by id, hosts by host id)."""
    return Allocation.objects.filter(cooperative=cooperative).filter(_rows_of([recipient], _ALLOCATION_ID_FIELDS))


def _opening_and_within(month: datetime.date | None) -> dict:
    """Sums of amount_fen before the month (the opening) and within it; no month: all is opening."""
    if month is None:
        return {"before": Sum("amount_fen"), "within": Value(0)}
    return {
        "before": Sum("amount_fen", filter=Q(period__month__lt=month)),
        "within": Sum("amount_fen", filter=Q(period__month=month)),
    }


def statements_for(
    *, cooperative: Cooperative, month: datetime.date | None, recipients: Iterable[Recipient] | None = None,
) -> dict[Recipient, Statement]:
    """Statements for the cooperative's period of `month`: the one place statements are computed.

    One aggregate query per source (allocations, labour distributions, payouts), grouped by
    recipient, however many recipients. With `recipients`, exactly those (an idle one with
    zeros); without, the shareholder villages, the reserve and the platform always, and every
    other village, participant and host with an entry in a period up to `month` (one query
    more). `month=None` gives each balance to date as the opening, with nothing within.
    Allocations are selected by their own cooperative; distributions and payouts by their period's.
    """
    month = month_first(month) if month is not None else None
    wanted = list(recipients) if recipients is not None else None
    up_to = Q(period__month__lte=month) if month is not None else Q()
    allocations = Allocation.objects.filter(up_to, cooperative=cooperative).exclude(recipient_type=RecipientType.LABOUR)
    distributions = LabourDistribution.objects.filter(up_to, period__cooperative=cooperative)
    payouts = Payout.objects.filter(up_to, period__cooperative=cooperative)
    if wanted is not None:
        allocations = allocations.filter(_rows_of(wanted, _ALLOCATION_ID_FIELDS))
        distributions = distributions.filter(
            participant_id__in=[r.participant_id for r in wanted if r.type == PayoutRecipient.PARTICIPANT]
        )
        payouts = payouts.filter(_rows_of(wanted, _PAYOUT_ID_FIELDS))
    sums = _opening_and_within(month)
    # opening, earned, reversed, paid out
    figures: dict[Recipient, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for recipient_type, village_id, host_id, entry_type, before, within in (
        allocations.values_list("recipient_type", "village_id", "host_id", "entry_type").order_by().annotate(**sums)
    ):
        row = figures[recipient_of(recipient_type, village_id=village_id, host_id=host_id)]
        row[0] += before or 0
        row[1 if entry_type == EntryType.EARNING else 2] += within or 0
    for participant_id, before, within in distributions.values_list("participant_id").order_by().annotate(**sums):
        row = figures[Recipient(PayoutRecipient.PARTICIPANT, participant_id=participant_id)]
        row[0] += before or 0
        row[1] += within or 0
    for recipient_type, village_id, participant_id, host_id, before, within in (
        payouts.values_list("recipient_type", "village_id", "participant_id", "host_id").order_by().annotate(**sums)
    ):
        ids = {"village_id": village_id, "participant_id": participant_id, "host_id": host_id}
        row = figures[recipient_of(recipient_type, **ids)]
        row[0] -= before or 0
        row[3] += within or 0
    if wanted is None:
        wanted = [
            Recipient(PayoutRecipient.VILLAGE, village_id=village_id)
            for village_id in Shareholding.objects.filter(cooperative=cooperative).values_list("village_id", flat=True)
        ] + [Recipient(PayoutRecipient.RESERVE), Recipient(PayoutRecipient.PLATFORM)]
        listed = set(wanted)
        wanted += [recipient for recipient in figures if recipient not in listed]
    return {recipient: Statement(*figures[recipient]) for recipient in wanted}


def statement_for(*, cooperative: Cooperative, recipient: Recipient, month: datetime.date) -> Statement:
    """The recipient's statement for the cooperative's period of `month`."""
    return statements_for(cooperative=cooperative, month=month, recipients=[recipient])[recipient]


def balances_fen(*, cooperative: Cooperative, recipients: Iterable[Recipient]) -> dict[Recipient, int]:
    """Each recipient's balance to date: everything earned, less reversals and payouts. Three queries."""
    statements = statements_for(cooperative=cooperative, month=None, recipients=recipients)
    return {recipient: statement.closing_fen for recipient, statement in statements.items()}


def balance_fen(*, cooperative: Cooperative, recipient: Recipient) -> int:
    """Everything earned, less reversals and payouts, to date."""
    return balances_fen(cooperative=cooperative, recipients=[recipient])[recipient]


def payouts_available_fen(
    *, cooperative: Cooperative, recipients: Iterable[Recipient], month: datetime.date,
) -> dict[Recipient, int]:
    """What each recipient can be paid out in the cooperative's period of `month`: the lowest
    closing balance from that month on (every later month with a period), so a payout never
    exceeds the balance as of the end of its month, nor turns a later month's balance negative.
    Three queries per month from `month` to the cooperative's latest period."""
    recipients = list(recipients)
    month = month_first(month)
    later = SettlementPeriod.objects.filter(cooperative=cooperative, month__gt=month).values_list("month", flat=True)
    available: dict[Recipient, int] = {}
    for each_month in sorted({month, *later}):
        for recipient, statement in statements_for(cooperative=cooperative, month=each_month, recipients=recipients).items():
            available[recipient] = min(available.get(recipient, statement.closing_fen), statement.closing_fen)
    return available


def recipient_names(recipients: Iterable[Recipient]) -> dict[Recipient, str]:
    """Display names: "长街镇·西岙村", a participant's name, a host's name ("#<id>" if unknown), 平台, 公司留存."""
    recipients = list(recipients)
    village_ids = {r.village_id for r in recipients if r.village_id}
    villages = {v.pk: str(v) for v in Village.objects.filter(pk__in=village_ids).only("name", "township")}
    participants = dict(
        Participant.objects.filter(pk__in={r.participant_id for r in recipients if r.participant_id})
        .order_by()
        .values_list("pk", "name")
    )
    hosts = _host_names({r.host_id for r in recipients if r.host_id is not None})
    names = {}
    for r in recipients:
        if r.type == PayoutRecipient.VILLAGE:
            names[r] = villages.get(r.village_id, "")
        elif r.type == PayoutRecipient.PARTICIPANT:
            names[r] = participants.get(r.participant_id, "")
        elif r.type == PayoutRecipient.HOST:
            names[r] = hosts.get(r.host_id) or (f"#{r.host_id}" if r.host_id is not None else "—")
        elif r.type == PayoutRecipient.RESERVE:
            names[r] = _("Cooperative reserve")
        else:
            names[r] = _("Platform")
    return names


def _host_names(host_ids: set[int]) -> dict[int, str]:
    """Hosts are live selling's; the function named by ORDERS_HOST_NAMES names them (else "#id")."""
    names = hook("ORDERS_HOST_NAMES")
    return names(host_ids) if names and host_ids else {}


@dataclass(frozen=True)
class StatementRow:
    recipient: Recipient
    name: str
    statement: Statement

    @property
    def recipient_id(self) -> int | None:
        return self.recipient.village_id or self.recipient.participant_id or self.recipient.host_id


def statement_rows(
    *, cooperative: Cooperative, month: datetime.date, recipient_type: str | None = None,
) -> list[StatementRow]:
    """Every recipient's statement for the month (statements_for), named, by kind then name.

    What the workbench, the exports and the API list. Raises ValueError for an unknown recipient_type.
    """
    if recipient_type is not None and recipient_type not in PayoutRecipient.values:
        raise ValueError(
            f"Unknown recipient type {recipient_type!r}; "
            f"use one of {', '.join(PayoutRecipient.values)} or None for all."
        )
    statements = statements_for(cooperative=cooperative, month=month)
    if recipient_type is not None:
        statements = {r: s for r, s in statements.items() if r.type == recipient_type}
    names = recipient_names(statements)
    ordered = sorted(
        statements,
        key=lambda r: (KIND_ORDER.index(r.type), names[r], r.village_id or 0, r.participant_id or 0, r.host_id or 0),
    )
    return [StatementRow(recipient=r, name=names[r], statement=statements[r]) for r in ordered]


@transaction.atomic
def payout_record(
    *, cooperative: Cooperative, recipient: Recipient, amount_fen: int, bank_reference: str,
    paid_on: datetime.date, actor: AbstractBaseUser,
) -> Payout:
    """Record a bank transfer to a recipient, booked into the open period of `paid_on`'s month
    (or the first open one after it). Raises PayoutError if it exceeds what can be paid out then
    (payouts_available_fen).

    The cooperative's row is locked so two accountants cannot pay out the same balance twice.
    """
    Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    if amount_fen < 1:
        raise PayoutError(_("A payout must be at least ¥0.01."))
    if not bank_reference.strip():
        raise PayoutError(_("Give the bank transfer's reference."))
    period: SettlementPeriod = period_open_for(
        cooperative=cooperative, moment=datetime.datetime.combine(paid_on, datetime.time(12), tzinfo=REPORTING_TZ)
    )
    available = payouts_available_fen(cooperative=cooperative, recipients=[recipient], month=period.month)[recipient]
    if amount_fen > available:
        message = _("Booked into %(month)s, this payout can be at most %(available)s: the balance as of the end of "
                    "that month, less what later months already paid out.")
        raise PayoutError(message % {"month": month_format(period.month), "available": format_fen(max(available, 0))})
    return Payout.objects.create(
        period=period, recipient_type=recipient.type, village_id=recipient.village_id,
        participant_id=recipient.participant_id, host_id=recipient.host_id, amount_fen=amount_fen,
        bank_reference=bank_reference.strip(), paid_on=paid_on, recorded_by=actor,
    )
