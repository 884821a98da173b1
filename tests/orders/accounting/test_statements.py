"""Statements per recipient and payouts against balances."""

import datetime

import pytest
from django.utils import timezone

from orders.accounting.months import month_next
from orders.accounting.periods import period_close, period_submit_for_review
from orders.accounting.statements import (
    PayoutError,
    Recipient,
    Statement,
    balance_fen,
    balances_fen,
    payout_record,
    payouts_available_fen,
    statement_for,
    statements_for,
)
from orders.buying.refunds import refund_create
from orders.models import (
    Allocation,
    EntryType,
    PayoutRecipient,
    PeriodStatus,
    RecipientType,
    SettlementPeriod,
    WorkRecord,
)
from shop.models import Cooperative, Participant, Village
from tests.orders.helpers import paid as _paid
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db




def test_village_statement_shows_earned_reversed_paid_and_closing(localstripe, superuser):
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))  # 西岙村 earns ¥33.26 (see test_booking)
    period = order.lines.get().allocations.first().period
    cooperative = period.cooperative
    xiao = Recipient(PayoutRecipient.VILLAGE, village_id=Village.objects.get(slug="xiao").pk)
    refund_create(order=order, amount_fen=order.total_fen)  # everything back
    payout_before = balance_fen(cooperative=cooperative, recipient=xiao)
    assert payout_before == 0
    statement = statement_for(cooperative=cooperative, recipient=xiao, month=period.month)
    assert (statement.opening_fen, statement.earned_fen, statement.reversed_fen) == (0, 3326, -3326)
    assert statement.closing_fen == 0


def test_payout_cannot_exceed_the_balance_and_shows_on_the_statement(localstripe, superuser):
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))
    period = order.lines.get().allocations.first().period
    cooperative = period.cooperative
    xiao = Recipient(PayoutRecipient.VILLAGE, village_id=Village.objects.get(slug="xiao").pk)
    with pytest.raises(PayoutError):
        payout_record(cooperative=cooperative, recipient=xiao, amount_fen=3327, bank_reference="B1", paid_on=datetime.date.today(), actor=superuser)
    payout = payout_record(cooperative=cooperative, recipient=xiao, amount_fen=3000, bank_reference="宁波银行 0001", paid_on=datetime.date.today(), actor=superuser)
    assert balance_fen(cooperative=cooperative, recipient=xiao) == 326
    statement = statement_for(cooperative=cooperative, recipient=xiao, month=payout.period.month)
    assert statement.paid_out_fen == 3000
    with pytest.raises(PayoutError):
        payout_record(cooperative=cooperative, recipient=xiao, amount_fen=1, bank_reference=" ", paid_on=datetime.date.today(), actor=superuser)


def test_participant_statement_comes_from_the_labour_distribution(localstripe, superuser):
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))
    period = order.lines.get().allocations.first().period
    worker = Participant.objects.get(name="王秀英")
    WorkRecord.objects.create(participant=worker, month=period.month, quantity=5)
    period_submit_for_review(period=period)
    period_close(period=period, actor=superuser)
    recipient = Recipient(PayoutRecipient.PARTICIPANT, participant_id=worker.pk)
    assert statement_for(cooperative=period.cooperative, recipient=recipient, month=period.month).earned_fen == 600
    assert balance_fen(cooperative=period.cooperative, recipient=recipient) == 600


def test_opening_balance_carries_earlier_months(localstripe, superuser):
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))
    period = order.lines.get().allocations.first().period
    next_month = month_next(period.month)
    platform = Recipient(PayoutRecipient.PLATFORM)
    statement = statement_for(cooperative=period.cooperative, recipient=platform, month=next_month)
    assert statement.opening_fen == 680 and statement.earned_fen == 0 and statement.closing_fen == 680


def test_one_recipients_statement_and_balance_are_their_row_of_everyones(
    localstripe, superuser, django_assert_max_num_queries,
):
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))
    refund_create(order=order, amount_fen=1000)
    line = order.lines.get()
    period = line.allocations.first().period
    cooperative = period.cooperative
    # A host allocation booked without its host: counted on its own row, never against a host's payouts.
    Allocation.objects.create(line=line, period=period, cooperative=cooperative, booked_at=order.paid_at,
                              recipient_type=RecipientType.HOST, amount_fen=7, entry_type=EntryType.EARNING)
    xiao = Recipient(PayoutRecipient.VILLAGE, village_id=Village.objects.get(slug="xiao").pk)
    payout_record(cooperative=cooperative, recipient=xiao, amount_fen=100, bank_reference="B2",
                  paid_on=datetime.date.today(), actor=superuser)

    everyone = statements_for(cooperative=cooperative, month=period.month)
    assert Recipient(PayoutRecipient.HOST) in everyone and xiao in everyone
    balances = balances_fen(cooperative=cooperative, recipients=everyone)
    for recipient, statement in everyone.items():
        with django_assert_max_num_queries(3):
            assert statement_for(cooperative=cooperative, recipient=recipient, month=period.month) == statement
        assert balance_fen(cooperative=cooperative, recipient=recipient) == balances[recipient]
    assert everyone[Recipient(PayoutRecipient.HOST)].earned_fen == 7 and everyone[xiao].paid_out_fen >= 100
    assert sum(s.closing_fen for s in everyone.values()) == sum(balances.values())  # no later month yet


def test_a_recipient_with_nothing_booked_has_a_statement_of_zeros(db):
    nobody = Recipient(PayoutRecipient.PARTICIPANT, participant_id=987654)
    cooperative = Cooperative.objects.first()
    statements = statements_for(cooperative=cooperative, month=datetime.date(2001, 1, 1), recipients=[nobody])
    assert statements == {nobody: Statement(0, 0, 0, 0)}


# --- payouts against the balance as of the end of their month ---------------------------------


def _earn(cooperative, village, month: datetime.date, amount_fen: int):
    """An earning of `amount_fen` for the village booked into `month`'s period."""
    period, _ = SettlementPeriod.objects.get_or_create(cooperative=cooperative, month=month)
    line = place(("CJ-ZZ-500G", 1)).lines.get()
    Allocation.objects.create(
        line=line, period=period, cooperative=cooperative, recipient_type=RecipientType.VILLAGE, village=village,
        entry_type=EntryType.EARNING, amount_fen=amount_fen, booked_at=timezone.now(),
    )
    return period


def _village_recipient(village) -> Recipient:
    return Recipient(PayoutRecipient.VILLAGE, village_id=village.pk)


def test_a_payout_cannot_spend_in_june_what_the_village_earns_in_september(superuser):
    cooperative = Cooperative.objects.get(slug="changjie-qiangcun")
    xiao = Village.objects.get(slug="xiao")
    _earn(cooperative, xiao, datetime.date(2026, 6, 1), 100)
    _earn(cooperative, xiao, datetime.date(2026, 9, 1), 1000)
    recipient = _village_recipient(xiao)

    with pytest.raises(PayoutError, match="2026-06"):
        payout_record(cooperative=cooperative, recipient=recipient, amount_fen=101, bank_reference="B1",
                      paid_on=datetime.date(2026, 6, 20), actor=superuser)
    payout_record(cooperative=cooperative, recipient=recipient, amount_fen=100, bank_reference="B2",
                  paid_on=datetime.date(2026, 6, 20), actor=superuser)
    june = statement_for(cooperative=cooperative, recipient=recipient, month=datetime.date(2026, 6, 1))
    assert june.closing_fen == 0


def test_a_payout_never_turns_a_later_month_negative(superuser):
    cooperative = Cooperative.objects.get(slug="changjie-qiangcun")
    xiao = Village.objects.get(slug="xiao")
    _earn(cooperative, xiao, datetime.date(2026, 6, 1), 100)
    _earn(cooperative, xiao, datetime.date(2026, 7, 1), 0)
    recipient = _village_recipient(xiao)
    payout_record(cooperative=cooperative, recipient=recipient, amount_fen=100, bank_reference="JULY",
                  paid_on=datetime.date(2026, 7, 5), actor=superuser)

    # June alone still shows 100, but July already paid it out.
    assert payouts_available_fen(cooperative=cooperative, recipients=[recipient], month=datetime.date(2026, 6, 1)) == {recipient: 0}
    with pytest.raises(PayoutError):
        payout_record(cooperative=cooperative, recipient=recipient, amount_fen=1, bank_reference="JUNE",
                      paid_on=datetime.date(2026, 6, 20), actor=superuser)


def test_a_backdated_payout_leaves_a_closed_month_as_it_was_closed(superuser):
    cooperative = Cooperative.objects.get(slug="changjie-qiangcun")
    xiao = Village.objects.get(slug="xiao")
    june = _earn(cooperative, xiao, datetime.date(2026, 6, 1), 500)
    recipient = _village_recipient(xiao)
    SettlementPeriod.objects.filter(pk=june.pk).update(status=PeriodStatus.CLOSED)
    closed_june = statement_for(cooperative=cooperative, recipient=recipient, month=datetime.date(2026, 6, 1))

    payout = payout_record(cooperative=cooperative, recipient=recipient, amount_fen=100, bank_reference="LATE",
                           paid_on=datetime.date(2026, 5, 31), actor=superuser)

    assert payout.period.month == datetime.date(2026, 7, 1)
    assert not SettlementPeriod.objects.filter(cooperative=cooperative, month=datetime.date(2026, 5, 1)).exists()
    assert statement_for(cooperative=cooperative, recipient=recipient, month=datetime.date(2026, 6, 1)) == closed_june
