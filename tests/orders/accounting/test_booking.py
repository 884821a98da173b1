"""Allocations booked from real payments and refunds (through localstripe)."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.accounting.allocations import allocations_book_for_order, ledger_audit, period_open_for
from orders.buying.refunds import refund_create
from orders.models import Allocation, EntryType, PeriodStatus, RecipientType, SettlementPeriod
from shop.models import Cooperative
from tests.orders.helpers import paid as _paid
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db




def _by_recipient(line, entry_type=None):
    entries = line.allocations.all() if entry_type is None else line.allocations.filter(entry_type=entry_type)
    result = {}
    for a in entries:
        key = f"village:{a.village.name}" if a.recipient_type == RecipientType.VILLAGE else a.recipient_type
        result[key] = result.get(key, 0) + a.amount_fen
    return result


def test_paying_books_the_split_of_each_line_exactly(localstripe):
    # 长街蛭子 2 × ¥68: site platform 5%, cooperative reserve 10%, labour ¥3 a unit (its workshop),
    # villages 西岙 30, 伍山 25, 大湖 25, 岳井 20. Delivery (¥25) is not split.
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))
    line = order.lines.get()
    parts = _by_recipient(line)
    # pool 13600 − 680 − 600 = 12320: reserve 1232; villages share 11088 → 3326.4, 2772, 2772,
    # 2217.6; the leftover fen goes to the largest remainder (岳井村's .6).
    assert parts == {"platform": 680, "labour": 600, "reserve": 1232,
                     "village:西岙村": 3326, "village:伍山村": 2772, "village:大湖村": 2772, "village:岳井村": 2218}
    assert sum(parts.values()) == 13600 == line.line_total_fen
    labour = line.allocations.get(recipient_type=RecipientType.LABOUR)
    assert labour.workshop.slug == "changjie-sorting"


def test_booking_twice_books_nothing_more(localstripe):
    order = _paid(localstripe, ("SM-HS-250G", 3))
    count = Allocation.objects.filter(line__order=order).count()
    assert allocations_book_for_order(order=order) == []
    assert Allocation.objects.filter(line__order=order).count() == count


def test_cooperative_platform_override_and_labour_per_unit_apply(localstripe):
    # 四明山: platform 4% (its own), reserve 10%, labour ¥2 a unit at the peanut workshop.
    order = _paid(localstripe, ("SM-HS-250G", 3))
    parts = _by_recipient(order.lines.get())
    assert parts["platform"] == 336 and parts["labour"] == 600
    assert sum(parts.values()) == 8400


def test_partial_then_full_refund_reverses_everything_and_audits_clean(localstripe):
    order = _paid(localstripe, ("CJ-ZZ-500G", 2), ("SM-HS-250G", 1))
    refund_create(order=order, amount_fen=5000)
    refund_create(order=order, amount_fen=order.total_fen - 5000)
    for line in order.lines.all():
        assert sum(a.amount_fen for a in line.allocations.all()) == 0
        earned = _by_recipient(line, EntryType.EARNING)
        reversed_ = _by_recipient(line, EntryType.REVERSAL)
        assert {k: -v for k, v in reversed_.items()} == earned
    assert ledger_audit() == []


def test_partial_refund_keeps_line_sums_equal_to_amount_less_refunds(localstripe):
    order = _paid(localstripe, ("CJ-ZZ-500G", 3))
    refund_create(order=order, amount_fen=1)
    refund_create(order=order, amount_fen=3333)
    assert ledger_audit() == []
    call_command("audit_ledger", stdout=open("/dev/null", "w"))


def test_audit_names_a_line_whose_allocations_do_not_add_up(localstripe):
    order = _paid(localstripe, ("CJ-ZZ-500G", 1))
    line = order.lines.get()
    Allocation.objects.create(
        line=line, period=line.allocations.first().period, cooperative=line.cooperative,
        recipient_type=RecipientType.PLATFORM, entry_type=EntryType.EARNING, amount_fen=1, booked_at=timezone.now(),
    )
    problems = ledger_audit()
    assert problems and order.number in problems[0]  # the line, then its period
    with pytest.raises(Exception):
        call_command("audit_ledger", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))


def test_allocations_cannot_be_changed_or_deleted(localstripe):
    allocation = _paid(localstripe, ("CJ-ZZ-500G", 1)).lines.get().allocations.first()
    allocation.amount_fen += 1
    with pytest.raises(ValueError):
        allocation.save()
    with pytest.raises(ValueError):
        allocation.delete()


def test_refund_after_the_month_closed_lands_in_the_next_open_month(localstripe):
    order = _paid(localstripe, ("CJ-ZZ-500G", 1))
    earning_period = order.lines.get().allocations.first().period
    earning_period.status = PeriodStatus.CLOSED
    earning_period.save()
    refund_create(order=order, amount_fen=1000)
    reversal_periods = {a.period for a in order.lines.get().allocations.filter(entry_type=EntryType.REVERSAL)}
    assert len(reversal_periods) == 1
    (later,) = reversal_periods
    assert later.month > earning_period.month and later.status == PeriodStatus.OPEN


def test_open_period_is_found_past_closed_months():
    cooperative = Cooperative.objects.get(slug="xiwu-qiangcun")
    moment = datetime.datetime(2026, 3, 15, tzinfo=datetime.UTC)
    march = period_open_for(cooperative=cooperative, moment=moment)
    march.status = PeriodStatus.CLOSED
    march.save()
    assert period_open_for(cooperative=cooperative, moment=moment).month == datetime.date(2026, 4, 1)


def test_bulk_booking_matches_per_order_booking_and_skips_booked_lines(localstripe):
    from orders.accounting.allocations import allocations_book_for_paid_lines
    from orders.models import OrderLine

    order = _paid(localstripe, ("CJ-ZZ-500G", 2), ("SM-HS-250G", 3))
    expected = {line.pk: _by_recipient(line) for line in order.lines.all()}
    assert allocations_book_for_paid_lines(lines=OrderLine.objects.all()) == 0  # already booked
    # a second paid order booked only through the bulk path gives the same split per SKU
    twin = place(("CJ-ZZ-500G", 2), ("SM-HS-250G", 3))
    twin.paid_at = timezone.now()
    twin.save(update_fields=["paid_at"])
    written = allocations_book_for_paid_lines(lines=OrderLine.objects.filter(order=twin), batch_size=1)
    assert written == sum(len(parts) for parts in expected.values())
    by_sku = {line.sku: _by_recipient(line) for line in order.lines.all()}
    assert {line.sku: _by_recipient(line) for line in twin.lines.all()} == by_sku


def test_audit_names_a_period_whose_sum_differs_from_captured_less_refunded(localstripe):
    order = _paid(localstripe, ("CJ-ZZ-500G", 1), ("SM-HS-250G", 1))
    refund_create(order=order, amount_fen=2000)
    assert ledger_audit() == []
    # a reversal booked into the wrong cooperative's period keeps every line's sum but not the periods'
    line = order.lines.get(sku="CJ-ZZ-500G")
    other_period = order.lines.get(sku="SM-HS-250G").allocations.first().period
    Allocation.objects.create(line=line, period=other_period, cooperative=line.cooperative, recipient_type=RecipientType.PLATFORM,
                              entry_type=EntryType.REVERSAL, amount_fen=-1, booked_at=timezone.now())
    Allocation.objects.create(line=line, period=line.allocations.first().period, cooperative=line.cooperative,
                              recipient_type=RecipientType.PLATFORM, entry_type=EntryType.EARNING, amount_fen=1, booked_at=timezone.now())
    problems = ledger_audit()
    assert any(str(other_period) in problem for problem in problems)


def test_a_backdated_entry_never_opens_a_month_before_a_closed_one():
    cooperative = Cooperative.objects.get(slug="xiwu-qiangcun")
    SettlementPeriod.objects.create(cooperative=cooperative, month=datetime.date(2026, 6, 1), status=PeriodStatus.CLOSED)
    # May has no period yet: booking into it would change June's opening balance after June closed.
    period = period_open_for(cooperative=cooperative, moment=datetime.datetime(2026, 5, 20, tzinfo=datetime.UTC))
    assert period.month == datetime.date(2026, 7, 1) and period.status == PeriodStatus.OPEN
    assert not SettlementPeriod.objects.filter(cooperative=cooperative, month=datetime.date(2026, 5, 1)).exists()
