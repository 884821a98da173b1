"""The database itself refuses changes to allocations and to closed months (triggers)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from orders.accounting.allocations import period_open_for
from orders.models import Allocation, EntryType, PeriodStatus, RecipientType, SettlementPeriod
from shop.models import Cooperative
from tests.orders.helpers import paid

pytestmark = pytest.mark.django_db


def _raw(sql: str, *params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _allocation(localstripe) -> Allocation:
    return paid(localstripe, ("CJ-ZZ-500G", 1)).lines.get().allocations.order_by("id").first()


def _close(period: SettlementPeriod) -> SettlementPeriod:
    SettlementPeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSED)
    period.refresh_from_db()
    return period


def test_a_raw_update_moving_a_fen_between_recipients_is_refused(localstripe):
    allocation = _allocation(localstripe)
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("UPDATE orders_allocation SET amount_fen = amount_fen + 1 WHERE id = %s", allocation.pk)
    allocation.refresh_from_db()
    assert Allocation.objects.get(pk=allocation.pk).amount_fen == allocation.amount_fen


def test_a_raw_delete_of_an_allocation_is_refused(localstripe):
    allocation = _allocation(localstripe)
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("DELETE FROM orders_allocation WHERE id = %s", allocation.pk)
    assert Allocation.objects.filter(pk=allocation.pk).exists()


def test_nothing_is_added_to_a_closed_month(localstripe):
    allocation = _allocation(localstripe)
    period = _close(allocation.period)
    with pytest.raises(IntegrityError, match="closed"), transaction.atomic():
        Allocation.objects.create(
            line=allocation.line, period=period, cooperative=allocation.cooperative, recipient_type=RecipientType.PLATFORM,
            entry_type=EntryType.REVERSAL, amount_fen=-1, booked_at=timezone.now(),
        )


def test_nothing_is_added_to_a_month_before_a_closed_one(localstripe):
    allocation = _allocation(localstripe)
    cooperative = allocation.cooperative
    later = SettlementPeriod.objects.create(cooperative=cooperative, month=datetime.date(2099, 1, 1), status=PeriodStatus.CLOSED)
    assert later.month > allocation.period.month and allocation.period.status == PeriodStatus.OPEN
    with pytest.raises(IntegrityError, match="closed"), transaction.atomic():
        Allocation.objects.create(
            line=allocation.line, period=allocation.period, cooperative=cooperative, recipient_type=RecipientType.PLATFORM,
            entry_type=EntryType.REVERSAL, amount_fen=-1, booked_at=timezone.now(),
        )


def test_a_closed_period_cannot_be_reopened_or_deleted():
    cooperative = Cooperative.objects.get(slug="xiwu-qiangcun")
    period = SettlementPeriod.objects.create(cooperative=cooperative, month=datetime.date(2025, 1, 1), status=PeriodStatus.CLOSED)
    with pytest.raises(IntegrityError, match="closed settlement period"):
        _raw("UPDATE orders_settlementperiod SET status = 'open' WHERE id = %s", period.pk)
    with pytest.raises(IntegrityError, match="closed settlement period"):
        _raw("DELETE FROM orders_settlementperiod WHERE id = %s", period.pk)
    assert SettlementPeriod.objects.get(pk=period.pk).status == PeriodStatus.CLOSED


def test_a_closed_months_checksum_cannot_be_rewritten_to_hide_a_change():
    cooperative = Cooperative.objects.get(slug="xiwu-qiangcun")
    period = SettlementPeriod.objects.create(cooperative=cooperative, month=datetime.date(2025, 3, 1), checksum="a" * 64)
    SettlementPeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSED)
    with pytest.raises(IntegrityError, match="closed settlement period"):
        _raw("UPDATE orders_settlementperiod SET checksum = %s WHERE id = %s", "b" * 64, period.pk)
    assert SettlementPeriod.objects.get(pk=period.pk).checksum == "a" * 64


def test_deleting_the_user_who_closed_a_month_only_forgets_who_it_was():
    user = get_user_model().objects.create_user("former-accountant", password="x")
    cooperative = Cooperative.objects.get(slug="xiwu-qiangcun")
    period = SettlementPeriod.objects.create(
        cooperative=cooperative, month=datetime.date(2025, 2, 1), status=PeriodStatus.CLOSED, closed_by=user,
        closed_at=timezone.now(),
    )
    user.delete()
    period.refresh_from_db()
    assert (period.status, period.closed_by) == (PeriodStatus.CLOSED, None)


def test_open_months_still_take_entries(localstripe):
    allocation = _allocation(localstripe)
    period = period_open_for(cooperative=allocation.cooperative, moment=timezone.now())
    Allocation.objects.create(
        line=allocation.line, period=period, cooperative=allocation.cooperative, recipient_type=RecipientType.PLATFORM,
        entry_type=EntryType.REVERSAL, amount_fen=-1, booked_at=timezone.now(),
    )


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_books_and_puts_the_guard_back(localstripe, demo_loaded):
    # A transactional test: its rows are really committed, then wiped by flush.
    _allocation(localstripe)
    call_command("flush", interactive=False, verbosity=0)
    assert not Allocation.objects.exists()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'orders_%%'")
        else:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'orders_%%'")
        assert cursor.fetchone()[0] >= 5
