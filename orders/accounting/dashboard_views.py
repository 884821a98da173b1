"""The public common-prosperity dashboard page (共富看板) at /gongfu/, and its charts as inline SVG.

The charts are geometry from orders.accounting.charts, drawn by its templates: no JavaScript,
nothing fetched from elsewhere. Each comes with a title, a text summary and a table of the same
figures.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from orders.accounting.charts import BarChart, Frame, LineChart, Progress, line_chart, progress_chart
from orders.accounting.dashboard import (
    MIN_GROUP_SIZE,
    AllianceRevenue,
    Dashboard,
    VillageIncome,
    dashboard_for_year,
    dashboard_years,
    months_elapsed,
    year_parse,
)
from orders.accounting.months import current_year
from shop.money import format_fen, format_rate, percent_bp

# Sized for a phone: a 360-unit viewBox drawn about 1:1 on a phone, scaled up on wider screens.
CHART_WIDTH, BARS_LABEL, BARS_VALUE = 360, 76, 52
LINE_FRAME = Frame(width=CHART_WIDTH, height=220, left=64, right=10, top=12, bottom=30)


def _percent_label(value: float | None) -> str:
    return "—" if value is None else format_rate(percent_bp(value))


def _progress(village: VillageIncome) -> Progress:
    return Progress(
        label=village.name, amount_fen=village.income_fen, target_fen=village.target_fen,
        value_label=_percent_label(village.percent_of_target), reached=village.reached_target,
        title=f"{village.name}: {format_fen(village.income_fen)} / {format_fen(village.target_fen)}",
    )


def village_bars_chart(alliances: list[AllianceRevenue]) -> BarChart:
    """A bar per village, grouped under its alliance: its income over a track as long as its target."""
    return progress_chart(
        width=CHART_WIDTH, label_width=BARS_LABEL, value_width=BARS_VALUE,
        groups=[(alliance.name, [_progress(v) for v in alliance.villages]) for alliance in alliances],
    )


def alliance_monthly_chart(alliances: list[AllianceRevenue], *, months_shown: int = 12) -> LineChart:
    """A line per alliance through its months of village income.

    The x axis always spans twelve months; lines stop after `months_shown` (the months of the
    current year that have begun), so months to come do not read as a fall to zero.
    """
    months = [str(number) for number in range(1, 13)]
    return line_chart(
        frame=LINE_FRAME, slot_labels=months, slot_titles=months,
        series=[(alliance.name, alliance.monthly_fen[:months_shown]) for alliance in alliances],
    )


def _villages_description(board: Dashboard, leader: VillageIncome | None) -> str:
    text = _("%(n)s of %(total)s villages have reached their target.") % {
        "n": board.villages_at_target, "total": len(board.villages),
    }
    if leader:
        text += " " + _("Highest share of its target: %(name)s, %(pct)s%%.") % {
            "name": leader.name, "pct": number_format(leader.percent_of_target, 1),
        }
    return text


def dashboard_index(request: HttpRequest) -> HttpResponse:
    """The dashboard of ?year=YYYY; anything that is not a year we report on shows the current year."""
    raw = request.GET.get("year")
    year = year_parse(raw)
    asked_for_other = raw not in (None, "") and year is None
    year = year or current_year()
    board = dashboard_for_year(year=year)
    years = dashboard_years()
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    by_name = board.alliances_by_name
    shown = months_elapsed(year)
    leader = max(board.villages, key=lambda v: (v.percent_of_target or 0), default=None)
    leader = leader if leader and leader.percent_of_target else None
    return render(request, "orders/dashboard/index.html", {
        "board": board,
        "years": years,
        "asked_for_other": asked_for_other,
        "alliances_by_name": by_name,
        "leader": leader,
        "villages_chart": village_bars_chart(by_name),
        "villages_description": _villages_description(board, leader),
        "monthly_chart": alliance_monthly_chart(by_name, months_shown=shown),
        "monthly_description": "; ".join(f"{a.name}: {format_fen(a.revenue_fen)}" for a in board.alliances),
        "monthly_rows": [(month, [a.monthly_fen[i] for a in by_name]) for i, month in enumerate(board.months[:shown])],
        "min_group_size": MIN_GROUP_SIZE,
    })
