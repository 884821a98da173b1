"""Reporting months: the Asia/Shanghai calendar that periods, statements and reports use.

Times are stored in UTC; a month is represented by the date of its first day and means the
Asia/Shanghai month (DESIGN.md §3). Everything about months lives here: the reporting time
zone, month arithmetic, "YYYY-MM" parsing and the `<month:…>` URL converter, registered once
when this module is imported, so a month outside MIN_YEAR–MAX_YEAR in a URL is a 404.
"""

import datetime
import re
from zoneinfo import ZoneInfo

from django.urls import register_converter
from django.utils import timezone

REPORTING_TZ = ZoneInfo("Asia/Shanghai")

# The months we report on: before the platform nothing was booked, and a bound on the other side
# keeps a mistyped URL (9999-01) from reaching the database or date arithmetic's limits.
MIN_YEAR, MAX_YEAR = 2000, 2100


def month_first(day: datetime.date) -> datetime.date:
    """The first day of the month of `day`."""
    return day.replace(day=1)


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the Asia/Shanghai month an aware moment falls in."""
    return month_first(local_date(moment))


def local_date(moment: datetime.datetime) -> datetime.date:
    """The Asia/Shanghai date of an aware moment."""
    return moment.astimezone(REPORTING_TZ).date()


def now_local() -> datetime.datetime:
    """Now, in Asia/Shanghai, whatever settings.TIME_ZONE says."""
    return timezone.now().astimezone(REPORTING_TZ)


def current_month() -> datetime.date:
    """The first day of the current Asia/Shanghai month."""
    return month_first(now_local().date())


def current_year() -> int:
    """The current Asia/Shanghai year."""
    return now_local().year


def month_add(month: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (before, when negative) the month of `month`."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_next(month: datetime.date) -> datetime.date:
    return month_add(month, 1)


def month_previous(month: datetime.date) -> datetime.date:
    return month_add(month, -1)


def months_ending(month: datetime.date, count: int = 12) -> list[datetime.date]:
    """The `count` months up to and including the month of `month`, oldest first."""
    return [month_add(month, -n) for n in range(count - 1, -1, -1)]


def months_of_year(year: int) -> list[datetime.date]:
    """January to December of `year`."""
    return [datetime.date(year, number, 1) for number in range(1, 13)]


def month_start(month: datetime.date) -> datetime.datetime:
    """The first instant of the Asia/Shanghai month, in UTC (2026-11 → 2026-10-31 16:00 UTC)."""
    local = datetime.datetime(month.year, month.month, 1, tzinfo=REPORTING_TZ)
    return local.astimezone(datetime.UTC)


def month_format(month: datetime.date) -> str:
    """2026-11-01 → "2026-11"."""
    return f"{month:%Y-%m}"


MONTH_PATTERN = r"[0-9]{4}-[0-9]{2}"  # YYYY-MM; ASCII digits only


def month_parse(value: str) -> datetime.date:
    """"2026-11" → datetime.date(2026, 11, 1).

    Raises ValueError for anything else, including a month outside MIN_YEAR to MAX_YEAR.
    """
    text = (value or "").strip()
    if not re.fullmatch(MONTH_PATTERN, text):
        raise ValueError(f"Write the month as YYYY-MM, e.g. 2026-11, not {value!r}.")
    year, number = int(text[:4]), int(text[5:])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"Months from {MIN_YEAR} to {MAX_YEAR} only, not {value!r}.")
    return datetime.date(year, number, 1)  # raises ValueError for month 00 or 13


class MonthConverter:
    """`<month:month>` in a URL: "2026-11" ⇄ datetime.date(2026, 11, 1); anything else is a 404."""

    regex = MONTH_PATTERN

    def to_python(self, value: str) -> datetime.date:
        return month_parse(value)  # a ValueError here means no match: a 404, never a 500

    def to_url(self, value: datetime.date | str) -> str:
        return month_format(month_parse(value) if isinstance(value, str) else value)


register_converter(MonthConverter, "month")
