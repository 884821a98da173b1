"""Statements and payouts: what each recipient earned, had reversed and was paid, by period.

A statement for a recipient of a cooperative over one period: opening balance (everything
before the period), earned, reversed and paid out in the period, closing balance. Amounts
come from the immutable allocations (villages, host, platform, reserve), the labour
distributions (participants) and the recorded payouts; nothing is stored twice.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from orders.accounting.allocations import period_open_for
from orders.models import (
    Allocation,
    EntryType,
    LabourDistribution,
    Payout,
    PayoutRecipient,
    RecipientType,
    SettlementPeriod,
)
from shop.models import Cooperative


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


def _sum(queryset: QuerySet, field: str = "amount_fen") -> int:
    return queryset.aggregate(total=Sum(field))["total"] or 0


def recipient_allocations(cooperative: Cooperative, recipient: Recipient) -> QuerySet[Allocation]:
    """A recipient's allocations in one cooperative (villages by id, hosts by host id)."""
    base = Allocation.objects.filter(cooperative=cooperative)
    if recipient.type == PayoutRecipient.VILLAGE:
        return base.filter(recipient_type=RecipientType.VILLAGE, village_id=recipient.village_id)
    if recipient.type == PayoutRecipient.HOST:
        return base.filter(recipient_type=RecipientType.HOST, host_id=recipient.host_id)
    return base.filter(recipient_type=recipient.type)


def _payouts(cooperative: Cooperative, recipient: Recipient) -> QuerySet[Payout]:
    base = Payout.objects.filter(period__cooperative=cooperative, recipient_type=recipient.type)
    return base.filter(
        Q(village_id=recipient.village_id) if recipient.village_id else Q(),
        Q(participant_id=recipient.participant_id) if recipient.participant_id else Q(),
        Q(host_id=recipient.host_id) if recipient.host_id else Q(),
    )


def _sums(queryset: QuerySet, **conditions: Q) -> dict[str, int]:
    """Several conditional sums of amount_fen in one query (periods up to the statement's)."""
    totals = queryset.aggregate(**{name: Sum("amount_fen", filter=condition) for name, condition in conditions.items()})
    return {name: value or 0 for name, value in totals.items()}


def statement_for(*, cooperative: Cooperative, recipient: Recipient, month: datetime.date) -> Statement:
    """The recipient's statement for the cooperative's period of `month` (first of month)."""
    before, within = Q(period__month__lt=month), Q(period__month=month)
    if recipient.type == PayoutRecipient.PARTICIPANT:
        distributions = LabourDistribution.objects.filter(period__cooperative=cooperative, participant_id=recipient.participant_id)
        sums = _sums(distributions.filter(period__month__lte=month), earned_before=before, earned=within)
        sums |= {"reversed_before": 0, "reversed": 0}
    else:
        earning, reversal = Q(entry_type=EntryType.EARNING), Q(entry_type=EntryType.REVERSAL)
        sums = _sums(
            recipient_allocations(cooperative, recipient).filter(period__month__lte=month),
            earned_before=before & earning, earned=within & earning,
            reversed_before=before & reversal, reversed=within & reversal,
        )
    paid = _sums(_payouts(cooperative, recipient).filter(period__month__lte=month), before=before, within=within)
    return Statement(
        opening_fen=sums["earned_before"] + sums["reversed_before"] - paid["before"],
        earned_fen=sums["earned"], reversed_fen=sums["reversed"], paid_out_fen=paid["within"],
    )


def balance_fen(*, cooperative: Cooperative, recipient: Recipient) -> int:
    """Everything earned, less reversals and payouts, to date."""
    if recipient.type == PayoutRecipient.PARTICIPANT:
        earned = _sum(LabourDistribution.objects.filter(period__cooperative=cooperative, participant_id=recipient.participant_id))
    else:
        earned = _sum(recipient_allocations(cooperative, recipient))
    return earned - _sum(_payouts(cooperative, recipient))


@transaction.atomic
def payout_record(
    *, cooperative: Cooperative, recipient: Recipient, amount_fen: int, bank_reference: str,
    paid_on: datetime.date, actor: AbstractBaseUser,
) -> Payout:
    """Record a bank transfer to a recipient. Raises PayoutError if it exceeds the balance.

    The cooperative's row is locked so two accountants cannot pay out the same balance twice.
    """
    Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    if amount_fen < 1:
        raise PayoutError(_("A payout must be at least ¥0.01."))
    if not bank_reference.strip():
        raise PayoutError(_("Give the bank transfer's reference."))
    available = balance_fen(cooperative=cooperative, recipient=recipient)
    if amount_fen > available:
        from shop.money import format_fen

        raise PayoutError(_("The balance is %(balance)s; a payout cannot exceed it.") % {"balance": format_fen(available)})
    period: SettlementPeriod = period_open_for(
        cooperative=cooperative, moment=datetime.datetime.combine(paid_on, datetime.time(12), tzinfo=datetime.UTC)
    )
    return Payout.objects.create(
        period=period, recipient_type=recipient.type, village_id=recipient.village_id,
        participant_id=recipient.participant_id, host_id=recipient.host_id, amount_fen=amount_fen,
        bank_reference=bank_reference.strip(), paid_on=paid_on, recorded_by=actor,
    )
