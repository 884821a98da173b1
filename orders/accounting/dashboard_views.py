"""The public common-prosperity dashboard page (共富看板) at /gongfu/, and its charts as inline SVG.

The charts are geometry computed here and drawn by the templates: no JavaScript, nothing
fetched from elsewhere. Each comes with a title, a text summary and a table of the same figures.
"""

import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from orders.accounting.dashboard import (
    MIN_GROUP_SIZE,
    AllianceRevenue,
    current_year,
    dashboard_for_year,
    dashboard_years,
    months_elapsed,
    year_parse,
)
from shop.money import format_fen

# Colours from the site's palette, and a dash pattern each, so lines differ without colour too.
SERIES_STYLES = [
    ("#b4232a", ""), ("#a8741a", "6 3"), ("#2f6b3a", "2 3"), ("#1d63c8", "8 3 2 3"),
    ("#6b4c9a", "4 4"), ("#007d7e", "10 4"), ("#5b6168", "1 2"),
]

# Sized for a phone: a 360-unit viewBox drawn about 1:1 on a phone, scaled up on wider screens.
BARS_WIDTH, BARS_LABEL, BARS_VALUE, BARS_ROW, BARS_HEADING = 360, 76, 52, 30, 28
LINE_WIDTH, LINE_HEIGHT = 360, 220
LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM = 64, 10, 12, 30


def _percent_label(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def village_bars_chart(alliances: list[AllianceRevenue]) -> dict:
    """Horizontal bars, one per village grouped under its alliance: the income bar over a
    track as long as the target, a tick at the target, the percentage at the end.

    All bars share one scale (the largest target or income), so villages compare at a glance.
    Negative income draws no bar (the table shows the figure).
    """
    villages = [v for a in alliances for v in a.villages]
    scale = max([1, *(v.target_fen for v in villages), *(v.income_fen for v in villages)])
    track = BARS_WIDTH - BARS_LABEL - BARS_VALUE

    def width(amount: int) -> float:
        return round(max(amount, 0) * track / scale, 1)

    rows, y = [], 0
    for alliance in alliances:
        if not alliance.villages:
            continue
        rows.append({"heading": True, "y": y + 19, "label": alliance.name})
        y += BARS_HEADING
        for village in alliance.villages:
            rows.append({
                "heading": False, "y": y, "bar_y": y + 8, "text_y": y + 19, "label": village.name,
                "target_width": width(village.target_fen), "income_width": width(village.income_fen),
                "target_x": round(BARS_LABEL + width(village.target_fen), 1),
                "reached": village.reached_target, "percent": _percent_label(village.percent_of_target),
                "title": f"{village.name}: {format_fen(village.income_fen)} / {format_fen(village.target_fen)}",
            })
            y += BARS_ROW
    return {
        "width": BARS_WIDTH, "height": max(y, BARS_ROW) + 4, "bar_left": BARS_LABEL, "value_x": BARS_WIDTH,
        "rows": rows,
    }


def _nice_step(span: int, count: int) -> int:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ fen, at least ¥1) giving about `count` intervals."""
    raw = max(span / count, 100)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * magnitude >= raw:
            return int(multiple * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def _axis_label(amount_fen: int) -> str:
    """Whole yuan for the axis: 2500000 → "¥25,000"."""
    sign = "-" if amount_fen < 0 else ""
    return f"{sign}¥{abs(amount_fen) // 100:,}"


def alliance_monthly_chart(alliances: list[AllianceRevenue], *, months_shown: int = 12) -> dict:
    """A line per alliance through its months of village income, on round y ticks.

    The x axis always spans twelve months; lines stop after `months_shown` (the months of the
    current year that have begun), so months to come do not read as a fall to zero.
    """
    values = [v for a in alliances for v in a.monthly_fen[:months_shown]]
    low, high = min([0, *values]), max([0, *values])
    step = _nice_step(high - low, 4)
    low, high = math.floor(low / step) * step, max(math.ceil(high / step) * step, step)
    plot_width, plot_height = LINE_WIDTH - LINE_LEFT - LINE_RIGHT, LINE_HEIGHT - LINE_TOP - LINE_BOTTOM

    def y(value: int) -> float:
        return round(LINE_TOP + (high - value) * plot_height / (high - low), 1)

    xs = [round(LINE_LEFT + plot_width * (i + 0.5) / 12, 1) for i in range(12)]
    series = []
    for i, alliance in enumerate(alliances):
        colour, dash = SERIES_STYLES[i % len(SERIES_STYLES)]
        series.append({
            "name": alliance.name, "colour": colour, "dash": dash,
            "points": " ".join(f"{x},{y(v)}" for x, v in zip(xs, alliance.monthly_fen[:months_shown])),
            "dots": [
                {"x": x, "y": y(v), "title": f"{alliance.name} {month}: {format_fen(v)}"}
                for month, (x, v) in enumerate(zip(xs, alliance.monthly_fen[:months_shown]), start=1)
            ],
        })
    return {
        "width": LINE_WIDTH, "height": LINE_HEIGHT, "left": LINE_LEFT, "right": LINE_WIDTH - LINE_RIGHT,
        "bottom": LINE_HEIGHT - LINE_BOTTOM, "zero": y(0), "label_y": LINE_HEIGHT - LINE_BOTTOM + 16,
        "ticks": [{"y": y(v), "label": _axis_label(v)} for v in range(low, high + 1, step)],
        "months": [{"x": x, "label": str(i)} for i, x in enumerate(xs, start=1)],
        "series": series,
    }


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
    return render(request, "orders/dashboard/index.html", {
        "board": board,
        "years": years,
        "asked_for_other": asked_for_other,
        "alliances_by_name": by_name,
        "leader": leader if leader and leader.percent_of_target else None,
        "villages_chart": village_bars_chart(by_name),
        "monthly_chart": alliance_monthly_chart(by_name, months_shown=shown),
        "monthly_rows": [(month, [a.monthly_fen[i] for a in by_name]) for i, month in enumerate(board.months[:shown])],
        "min_group_size": MIN_GROUP_SIZE,
    })
