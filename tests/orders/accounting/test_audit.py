"""The ledger audit recomputes every split, reversal and closed month, so it catches tampering
that keeps the sums right, even when the database's triggers were dropped to make it."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from orders.accounting.allocations import (
    _policy_for,
    allocations_book_for_order,
    allocations_book_for_paid_lines,
    ledger_audit,
    ledger_audit_report,
    line_holdings,
)
from orders.accounting.ledger import split_line
from orders.accounting.ledger_guards import guards_install, guards_remove
from orders.accounting.periods import period_close, period_submit_for_review
from orders.accounting.statements import Recipient, payout_record
from orders.buying.refunds import LineRefund, refund_create, refund_stripe_update
from orders.models import Allocation, EntryType, OrderLine, PayoutRecipient, RecipientType, WorkRecord
from shop.models import Cooperative, Participant, Village
from tests.orders.helpers import paid, place

pytestmark = pytest.mark.django_db

MARCH = datetime.datetime(2026, 3, 10, 4, tzinfo=datetime.UTC)


@pytest.fixture
def guards_dropped():
    """The ledger's triggers dropped, as a DBA could; put back whatever the test does."""
    guards_remove(connection)
    try:
        yield
    finally:
        guards_install(connection)


def _raw(sql: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _booked(at: datetime.datetime, *items):
    """A paid order whose earnings are booked at `at` (no payment provider needed)."""
    order = place(*items)
    order.paid_at = at
    order.save(update_fields=["paid_at"])
    allocations_book_for_order(order=order, at=at)
    return order


def _fail(refund) -> None:
    """Stripe reports the refund failed after its reversals were booked."""
    failure = {"id": refund.stripe_refund_id, "status": "failed", "failure_reason": "lost_or_stolen_card"}
    refund_stripe_update(stripe_refund=failure)


def _village_row(line: OrderLine, name: str) -> Allocation:
    return line.allocations.get(recipient_type=RecipientType.VILLAGE, village__name=name, entry_type=EntryType.EARNING)


def test_a_fen_moved_between_two_villages_of_a_line_is_named_when_the_sum_is_unchanged(guards_dropped):
    # given 长街蛭子 2 × ¥68: 西岙 3326, 伍山 2772 (test_booking)
    line = _booked(MARCH, ("CJ-ZZ-500G", 2)).lines.get()
    xiao, wushan = _village_row(line, "西岙村"), _village_row(line, "伍山村")
    assert ledger_audit() == []
    # when one fen goes from 西岙 to 伍山 behind the application's back
    _raw("UPDATE orders_allocation SET amount_fen = amount_fen - 1 WHERE id = %s", xiao.pk)
    _raw("UPDATE orders_allocation SET amount_fen = amount_fen + 1 WHERE id = %s", wushan.pk)
    # then the line still sums to its amount, but the audit names it and both villages
    assert sum(line.allocations.values_list("amount_fen", flat=True)) == line.line_total_fen
    problems = ledger_audit()
    assert len(problems) == 2
    assert all(f"line {line.pk} of order {line.order.number}" in problem for problem in problems)
    assert "village 西岙村" in problems[0] and "3325 fen" in problems[0] and "3326 fen" in problems[0]
    assert "village 伍山村" in problems[1] and "2773 fen" in problems[1] and "2772 fen" in problems[1]
    with pytest.raises(Exception, match="2 ledger violation"):
        call_command("audit_ledger", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))


def test_a_changed_payout_of_a_closed_month_is_named(guards_dropped, superuser):
    # given a March with sales, a payout and a labour distribution, closed by period_close
    line = _booked(MARCH, ("CJ-ZZ-500G", 2)).lines.get()
    period = line.allocations.first().period
    xiao = Village.objects.get(name="西岙村")
    payout = payout_record(
        cooperative=line.cooperative, recipient=Recipient(type=PayoutRecipient.VILLAGE, village_id=xiao.pk),
        amount_fen=1000, bank_reference="NB-0317", paid_on=datetime.date(2026, 3, 17), actor=superuser,
    )
    workshop = line.allocations.get(recipient_type=RecipientType.LABOUR).workshop
    participant = Participant.objects.filter(workshop=workshop).first()
    WorkRecord.objects.create(participant=participant, month=period.month, quantity=5)
    period_submit_for_review(period=period)
    assert period_close(period=period, actor=superuser)
    period.refresh_from_db()
    assert len(period.checksum) == 64
    assert ledger_audit() == []
    # when the payout's amount is changed in the closed month
    _raw("UPDATE orders_payout SET amount_fen = 1100 WHERE id = %s", payout.pk)
    # then the audit names the month
    problems = ledger_audit()
    assert problems == [
        f"period {period}: its allocations, labour distributions or payouts changed after it closed "
        "(their checksum differs from the one taken at close)"
    ]


def test_a_closed_month_without_a_checksum_is_named():
    line = _booked(MARCH, ("CJ-ZZ-500G", 1)).lines.get()
    period = line.allocations.first().period
    period.status = "closed"
    period.save(update_fields=["status"])
    assert ledger_audit() == [
        f"period {period} is closed but keeps no checksum of its rows; it was not closed by period_close"
    ]


def test_a_ledger_of_sales_refunds_a_failed_refund_and_closed_months_audits_clean(localstripe, superuser):
    # given a closed month with labour distributed, then paid orders with partial, full and failed refunds
    _booked(MARCH, ("CJ-ZZ-500G", 3), ("SM-HS-250G", 2))
    for period in {line.allocations.first().period for line in OrderLine.objects.all()}:
        period_submit_for_review(period=period)
        period_close(period=period, actor=superuser)
    order = paid(localstripe, ("CJ-ZZ-500G", 3), ("SM-HS-250G", 2))
    refund_create(order=order, amount_fen=9)
    refund_create(order=order, amount_fen=3333)
    clams = order.lines.get(sku="CJ-ZZ-500G")
    failed = refund_create(order=order, lines=[LineRefund(line_id=clams.pk, quantity=1)])
    _fail(failed)
    other = paid(localstripe, ("SM-HS-250G", 1))
    refund_create(order=other, amount_fen=other.total_fen)
    # then every line, refund step and closed month recomputes exactly
    report = ledger_audit_report()
    assert report.problems == [] and report.notes == []
    call_command("audit_ledger", stdout=open("/dev/null", "w"))


def test_the_kept_policy_keeps_the_audit_clean_after_a_reserve_rate_changes():
    # given a line booked at the cooperative's reserve rate
    line = _booked(MARCH, ("CJ-ZZ-500G", 2)).lines.get()
    cooperative = Cooperative.objects.get(pk=line.cooperative_id)
    booked = line_holdings(line=line)
    # when the cooperative's reserve rate changes afterwards
    cooperative.reserve_rate_bp += 500
    cooperative.save(update_fields=["reserve_rate_bp"])
    # then today's rates would give another split, but the audit uses the one it was booked with
    line.refresh_from_db()
    assert line.booked_policy["reserve_rate_bp"] == cooperative.reserve_rate_bp - 500
    policy_today, _workshop = _policy_for(line, cooperative)
    split_today = split_line(amount_fen=line.line_total_fen, quantity=2, policy=policy_today)
    assert {key: part for key, part in split_today.items() if part} != booked
    assert ledger_audit() == []


def test_a_fen_swapped_between_two_reversal_rows_of_a_refund_is_named(localstripe, guards_dropped):
    # given a partial refund of a line, then a later one that is recomputed from it
    order = paid(localstripe, ("CJ-ZZ-500G", 2))
    line = order.lines.get()
    first = refund_create(order=order, amount_fen=5000)
    refund_create(order=order, amount_fen=1000)
    rows = {row.village.name: row for row in first.allocations.filter(recipient_type=RecipientType.VILLAGE)}
    assert ledger_audit() == []
    # when one fen moves between the first refund's reversals of 西岙 and 伍山
    _raw("UPDATE orders_allocation SET amount_fen = amount_fen - 1 WHERE id = %s", rows["西岙村"].pk)
    _raw("UPDATE orders_allocation SET amount_fen = amount_fen + 1 WHERE id = %s", rows["伍山村"].pk)
    # then the audit names that refund's step and both villages, and nothing about the later refund
    problems = ledger_audit()
    assert len(problems) == 2, problems
    where = f"line {line.pk} of order {order.number}, refund {first.idempotency_key} (reversal)"
    assert problems[0].startswith(f"{where}: village 西岙村") and problems[1].startswith(f"{where}: village 伍山村")


def test_a_tampered_reinstatement_of_a_failed_refund_is_named(localstripe, guards_dropped):
    order = paid(localstripe, ("CJ-ZZ-500G", 2))
    line = order.lines.get()
    refund = refund_create(order=order, lines=[LineRefund(line_id=line.pk, quantity=1)])
    _fail(refund)
    reinstated = refund.allocations.filter(entry_type=EntryType.EARNING, recipient_type=RecipientType.VILLAGE)
    reinstated = reinstated.order_by("id")
    first, second = reinstated[0], reinstated[1]
    assert ledger_audit() == []
    _raw("UPDATE orders_allocation SET amount_fen = amount_fen - 1 WHERE id = %s", first.pk)
    _raw("UPDATE orders_allocation SET amount_fen = amount_fen + 1 WHERE id = %s", second.pk)
    problems = ledger_audit()
    assert len(problems) == 2
    assert all("(reinstatement)" in problem and "mirroring its reversal" in problem for problem in problems)


def test_a_line_booked_before_policies_were_kept_is_checked_by_its_sum_and_noted_once():
    # given two lines booked before the policy was kept with them
    order = _booked(MARCH, ("CJ-ZZ-500G", 2), ("SM-HS-250G", 1))
    OrderLine.objects.filter(order=order).update(booked_policy=None)
    # then the audit is clean but says, once, what it could not recompute
    report = ledger_audit_report()
    assert report.problems == []
    assert len(report.notes) == 1 and report.notes[0].startswith("2 line(s) were booked before split policies")
    # and a fen added to one of them is still named by its sum
    line = order.lines.first()
    Allocation.objects.create(line=line, period=line.allocations.first().period, cooperative_id=line.cooperative_id,
                              recipient_type=RecipientType.PLATFORM, entry_type=EntryType.EARNING, amount_fen=1,
                              booked_at=timezone.now())
    assert any(f"line {line.pk} of order {order.number}: allocations sum to" in p for p in ledger_audit())


def _keep_reproducible_policies() -> None:
    """The back-fill of migration 0011, run on today's models."""
    migration = importlib.import_module("orders.migrations.0011_booked_policy_and_period_checksum")
    migration.keep_reproducible_policies(django_apps, None)


def test_the_migration_keeps_todays_policy_only_where_it_reproduces_the_booked_rows():
    # given two lines booked before policies were kept, one of whose cooperatives changed its reserve since
    clams = _booked(MARCH, ("CJ-ZZ-500G", 2)).lines.get()
    peanuts = _booked(MARCH, ("SM-HS-250G", 3)).lines.get()
    kept = {line.pk: OrderLine.objects.get(pk=line.pk).booked_policy for line in (clams, peanuts)}
    OrderLine.objects.update(booked_policy=None)
    Cooperative.objects.filter(pk=peanuts.cooperative_id).update(reserve_rate_bp=F("reserve_rate_bp") + 500)
    # when the back-fill runs
    _keep_reproducible_policies()
    # then the line today's rates reproduce gets its policy back; the other stays checked by sums
    assert OrderLine.objects.get(pk=clams.pk).booked_policy == kept[clams.pk]
    assert OrderLine.objects.get(pk=peanuts.pk).booked_policy is None
    report = ledger_audit_report()
    assert report.problems == [] and report.notes[0].startswith("1 line(s) were booked before")


def test_bulk_booking_keeps_each_lines_policy_like_booking_an_order():
    order = place(("CJ-ZZ-500G", 2), ("SM-HS-250G", 3))
    order.paid_at = MARCH
    order.save(update_fields=["paid_at"])
    allocations_book_for_paid_lines(lines=OrderLine.objects.filter(order=order), batch_size=1)
    twin = _booked(MARCH, ("CJ-ZZ-500G", 2), ("SM-HS-250G", 3))
    assert [line.booked_policy for line in order.lines.all()] == [line.booked_policy for line in twin.lines.all()]
    assert all(line.booked_policy for line in order.lines.all())
    assert ledger_audit_report().problems == []
