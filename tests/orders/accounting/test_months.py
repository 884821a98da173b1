"""Reporting months: the Asia/Shanghai calendar, month arithmetic, "YYYY-MM" and the URL converter."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse

from orders.accounting.months import (
    MonthConverter,
    current_month,
    month_add,
    month_next,
    month_of,
    month_parse,
    month_previous,
    month_start,
    months_ending,
    months_of_year,
)

UTC = datetime.UTC


def test_months_follow_shanghai_time():
    # 2026-11-30 16:30 UTC is already 1 December in Ningbo.
    assert month_of(datetime.datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == datetime.date(2026, 12, 1)
    assert month_of(datetime.datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == datetime.date(2026, 11, 1)


def test_a_month_starts_at_shanghai_midnight_in_utc():
    assert month_start(datetime.date(2026, 12, 1)) == datetime.datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert month_of(month_start(datetime.date(2027, 1, 1))) == datetime.date(2027, 1, 1)
    just_before = month_start(datetime.date(2027, 1, 1)) - datetime.timedelta(seconds=1)
    assert month_of(just_before) == datetime.date(2026, 12, 1)


def test_month_arithmetic_crosses_years_both_ways():
    assert month_next(datetime.date(2026, 12, 1)) == datetime.date(2027, 1, 1)
    assert month_previous(datetime.date(2027, 1, 1)) == datetime.date(2026, 12, 1)
    assert month_add(datetime.date(2026, 3, 17), -15) == datetime.date(2024, 12, 1)
    assert month_add(datetime.date(2026, 3, 1), 25) == datetime.date(2028, 4, 1)


def test_months_ending_lists_the_months_up_to_this_one_oldest_first():
    months = months_ending(datetime.date(2025, 3, 9), 12)
    assert (months[0], months[-1], len(set(months))) == (datetime.date(2024, 4, 1), datetime.date(2025, 3, 1), 12)
    assert months_of_year(2026) == [datetime.date(2026, n, 1) for n in range(1, 13)]


def test_the_current_month_is_shanghais_when_utc_is_still_in_the_month_before(settings, monkeypatch):
    settings.TIME_ZONE = "UTC"
    moment = datetime.datetime(2026, 11, 30, 17, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    assert current_month() == datetime.date(2026, 12, 1)


@pytest.mark.parametrize("text, month", [
    ("2026-11", datetime.date(2026, 11, 1)),
    (" 2000-01 ", datetime.date(2000, 1, 1)),
    ("2100-12", datetime.date(2100, 12, 1)),
])
def test_month_parse_reads_yyyy_mm(text, month):
    assert month_parse(text) == month


@pytest.mark.parametrize("text", ["", "2026", "2026-13", "2026-00", "1999-12", "2101-01", "26-11", "2026-1", "2026/11",
                                  "２０２６-11", None])
def test_month_parse_refuses_anything_else(text):
    with pytest.raises(ValueError):
        month_parse(text)


def test_the_converter_round_trips_and_refuses_months_outside_the_years_we_report_on():
    converter = MonthConverter()
    assert converter.to_python("2026-11") == datetime.date(2026, 11, 1)
    assert converter.to_url(datetime.date(2026, 11, 1)) == converter.to_url("2026-11") == "2026-11"
    for text in ("1999-12", "2101-01", "2026-13"):
        with pytest.raises(ValueError):
            converter.to_python(text)


def test_reversing_a_url_with_a_month_outside_the_range_fails():
    assert reverse("workbench:overview", kwargs={"cooperative": "x", "month": "2026-11"}).endswith("/x/2026-11/")
    with pytest.raises(NoReverseMatch):
        reverse("workbench:overview", kwargs={"cooperative": "x", "month": "2101-01"})
