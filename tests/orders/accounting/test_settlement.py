"""Settlement periods: review, close, and the labour shared among workshop participants."""

import datetime

import pytest

from orders.accounting.periods import (
    PeriodError,
    labour_pool_balance_fen,
    period_close,
    period_reopen,
    period_submit_for_review,
)
from orders.buying.refunds import refund_create
from orders.models import LabourDistribution, PeriodStatus, WorkRecord
from shop.models import Participant, Workshop
from tests.orders.helpers import paid as _paid

pytestmark = pytest.mark.django_db




def _period_of(order):
    return order.lines.first().allocations.first().period


def _work(workshop_slug, month, **units_by_name):
    for name, units in units_by_name.items():
        WorkRecord.objects.create(participant=Participant.objects.get(workshop__slug=workshop_slug, name=name), month=month, quantity=units)


def test_closing_shares_the_labour_pool_by_recorded_work(localstripe, superuser):
    order = _paid(localstripe, ("CJ-ZZ-500G", 10))  # ¥3.00 a unit → ¥30.00 of labour
    period = _period_of(order)
    _work("changjie-sorting", period.month, 王秀英=3, 陈阿梅=2, 林美华=2)
    period_submit_for_review(period=period)
    distributions = period_close(period=period, actor=superuser)
    assert {d.participant.name: d.amount_fen for d in distributions} == {"王秀英": 1286, "陈阿梅": 857, "林美华": 857}
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED and period.closed_by == superuser
    assert labour_pool_balance_fen(workshop=Workshop.objects.get(slug="changjie-sorting"), up_to=period) == 0


def test_without_recorded_work_the_pool_waits_for_a_later_close(localstripe, superuser):
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))
    period = _period_of(order)
    period_submit_for_review(period=period)
    assert period_close(period=period, actor=superuser) == []
    workshop = Workshop.objects.get(slug="changjie-sorting")
    assert labour_pool_balance_fen(workshop=workshop, up_to=period) == 600  # undistributed, kept


def test_a_pool_netting_below_zero_hands_out_nothing(localstripe, superuser):
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))
    period = _period_of(order)
    _work("changjie-sorting", period.month, 王秀英=1)
    period_submit_for_review(period=period)
    period_close(period=period, actor=superuser)  # hands out the ¥6.00
    refund_create(order=order, amount_fen=order.total_fen)  # reversal lands in the next open month
    later = order.lines.get().allocations.filter(entry_type="reversal").first().period
    _work("changjie-sorting", later.month, 王秀英=1)
    period_submit_for_review(period=later)
    assert period_close(period=later, actor=superuser) == []
    assert labour_pool_balance_fen(workshop=Workshop.objects.get(slug="changjie-sorting"), up_to=later) == -600
    assert not LabourDistribution.objects.filter(amount_fen__lt=0).exists()


def test_a_closed_period_cannot_be_reopened_or_closed_again(localstripe, superuser):
    period = _period_of(_paid(localstripe, ("CJ-ZZ-500G", 1)))
    with pytest.raises(PeriodError):
        period_close(period=period, actor=superuser)  # not in review yet
    period_submit_for_review(period=period)
    period_close(period=period, actor=superuser)
    with pytest.raises(PeriodError):
        period_reopen(period=period)
    with pytest.raises(PeriodError):
        period_submit_for_review(period=period)


def test_months_close_in_order(localstripe, superuser):
    period = _period_of(_paid(localstripe, ("CJ-ZZ-500G", 1)))
    from orders.accounting.allocations import period_open_for

    earlier = period_open_for(cooperative=period.cooperative, moment=datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC))
    period_submit_for_review(period=period)
    with pytest.raises(PeriodError):
        period_close(period=period, actor=superuser)
    period_submit_for_review(period=earlier)
    period_close(period=earlier, actor=superuser)
    period_close(period=period, actor=superuser)
