"""Charts as inline SVG, for the workbench and the public dashboard: geometry computed here as
plain data, drawn by one template each (orders/charts/bar.html and orders/charts/line.html).

No JavaScript and nothing fetched from elsewhere. Amounts are integer fen; the y axis has round
steps labelled in whole yuan. Coordinates are rounded to 0.1 of an SVG unit so the markup is short
and the same figures always give the same chart.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from shop.money import format_fen

# A colour and a dash pattern per series, so lines differ without colour too.
SERIES_STYLES = [
    ("#b4232a", ""), ("#a8741a", "6 3"), ("#2f6b3a", "2 3"), ("#1d63c8", "8 3 2 3"),
    ("#6b4c9a", "4 4"), ("#007d7e", "10 4"), ("#5b6168", "1 2"),
]
BAR_COLOUR = "#007d7e"
PROGRESS_BAR_HEIGHT = 14


@dataclass(frozen=True)
class Frame:
    """The drawing's size and the margins around its plot, in SVG units."""

    width: int
    height: int
    left: int = 0
    right: int = 0
    top: int = 0
    bottom: int = 0

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def plot_right(self) -> int:
        return self.width - self.right


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"  # an SVG text-anchor
    css: str = "chart__tick"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str = ""
    css: str = "chart__bar"  # progress bars: "chart__track", "chart__bar chart__bar--reached"


@dataclass(frozen=True)
class Marker:
    """An upright rule across a bar, from top to bottom: a target, say."""

    x: float
    top: float
    bottom: float


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    dash: str
    points: str  # "x,y x,y …" for a polyline
    dots: list[Dot]
    total: int


@dataclass(frozen=True)
class Axes:
    """Horizontal grid lines with their labels, the zero line, and the labels under the plot."""

    frame: Frame
    ticks: list[Tick] = field(default_factory=list)
    zero: float | None = None
    labels: list[Label] = field(default_factory=list)


@dataclass(frozen=True)
class LineChart(Axes):
    series: list[Series] = field(default_factory=list)


@dataclass(frozen=True)
class BarChart(Axes):
    bars: list[Bar] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)


# --- scales ----------------------------------------------------------------------------------------------


def nice_step(span: int, count: int) -> int:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ fen, at least ¥1) giving about `count` intervals."""
    raw = max(span / count, 100)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * magnitude >= raw:
            return int(multiple * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def axis_label(amount_fen: int) -> str:
    """Whole yuan for an axis: 2500000 → "¥25,000"."""
    return format_fen(amount_fen, whole=True)


@dataclass(frozen=True)
class Scale:
    """Amounts to heights: from a round low to a round high (both including zero) over the plot."""

    frame: Frame
    low: int
    high: int
    step: int

    @classmethod
    def covering(cls, frame: Frame, values: Sequence[int], intervals: int = 4) -> "Scale":
        low, high = min([0, *values]), max([0, *values])
        step = nice_step(high - low, intervals)
        return cls(frame, math.floor(low / step) * step, max(math.ceil(high / step) * step, step), step)

    def y(self, value: int) -> float:
        return round(self.frame.top + (self.high - value) * self.frame.plot_height / (self.high - self.low), 1)

    def ticks(self) -> list[Tick]:
        return [Tick(self.y(v), axis_label(v)) for v in range(self.low, self.high + 1, self.step)]


def slot_centres(frame: Frame, count: int) -> list[float]:
    """The x of the middle of each of `count` equal slots across the plot."""
    return [round(frame.left + frame.plot_width * (i + 0.5) / max(count, 1), 1) for i in range(count)]


def _slot_labels(frame: Frame, xs: list[float], labels: Sequence[str]) -> list[Label]:
    return [Label(x, frame.height - frame.bottom + 16, text) for x, text in zip(xs, labels, strict=True)]


# --- charts ----------------------------------------------------------------------------------------------


def line_chart(
    *, frame: Frame, slot_labels: Sequence[str], slot_titles: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
) -> LineChart:
    """One line per (name, values) across the slots (months, say), on a shared round scale.

    A series may have fewer values than slots: its line stops there (months still to come do
    not read as a fall to zero). A dot's title reads "<name> <slot title>: ¥1,234.56".
    """
    scale = Scale.covering(frame, [v for _name, values in series for v in values])
    xs = slot_centres(frame, len(slot_labels))
    lines = []
    for i, (name, values) in enumerate(series):
        colour, dash = SERIES_STYLES[i % len(SERIES_STYLES)]
        placed = list(zip(xs[: len(values)], values, slot_titles[: len(values)], strict=True))
        lines.append(Series(
            name=name, colour=colour, dash=dash, total=sum(values),
            points=" ".join(f"{x},{scale.y(v)}" for x, v, _title in placed),
            dots=[Dot(x, scale.y(v), f"{name} {title}: {format_fen(v)}") for x, v, title in placed],
        ))
    return LineChart(
        frame=frame, ticks=scale.ticks(), zero=scale.y(0), labels=_slot_labels(frame, xs, slot_labels), series=lines,
    )


def column_chart(
    *, frame: Frame, slot_labels: Sequence[str], slot_titles: Sequence[str], values: Sequence[int],
    notes: Sequence[str],
) -> BarChart:
    """One upright bar per slot, from zero up (or down, when negative); `notes` end each bar's title."""
    scale = Scale.covering(frame, values)
    xs = slot_centres(frame, len(slot_labels))
    width = round(frame.plot_width / max(len(slot_labels), 1) * 0.6, 1)
    zero = scale.y(0)
    bars = [
        Bar(
            x=round(x - width / 2, 1), y=min(scale.y(v), zero), width=width, height=round(abs(zero - scale.y(v)), 1),
            title=f"{title}: {format_fen(v)} {note}".strip(),
        )
        for x, v, title, note in zip(xs, values, slot_titles, notes, strict=True)
    ]
    return BarChart(frame=frame, ticks=scale.ticks(), zero=zero, labels=_slot_labels(frame, xs, slot_labels), bars=bars)


@dataclass(frozen=True)
class Progress:
    """One row of a progress chart: an amount against its target."""

    label: str
    amount_fen: int
    target_fen: int
    value_label: str  # shown at the row's end, e.g. "87.5%"
    title: str
    reached: bool = False


ROW_HEIGHT, HEADING_HEIGHT = 30, 28


def progress_chart(
    *, width: int, label_width: int, value_width: int, groups: Sequence[tuple[str, Sequence[Progress]]],
) -> BarChart:
    """Horizontal bars in groups under a heading: each amount over a track as long as its target,
    a marker at the target, the value label at the end.

    All rows share one scale (the largest target or amount), so rows compare at a glance. A
    negative amount draws no bar. Empty groups are left out.
    """
    rows = [row for _heading, members in groups for row in members]
    largest = max([1, *(r.target_fen for r in rows), *(r.amount_fen for r in rows)])
    track = width - label_width - value_width

    def length(amount: int) -> float:
        return round(max(amount, 0) * track / largest, 1)

    labels: list[Label] = []
    bars: list[Bar] = []
    markers: list[Marker] = []
    y = 0
    for heading, members in groups:
        if not members:
            continue
        labels.append(Label(0, y + 19, heading, anchor="start", css="chart__heading"))
        y += HEADING_HEIGHT
        for row in members:
            labels.append(Label(0, y + 19, row.label, anchor="start", css="chart__label"))
            labels.append(Label(width, y + 19, row.value_label, anchor="end", css="chart__value"))
            income_css = "chart__bar chart__bar--reached" if row.reached else "chart__bar"
            for amount, css in ((row.target_fen, "chart__track"), (row.amount_fen, income_css)):
                bars.append(Bar(label_width, y + 8, length(amount), PROGRESS_BAR_HEIGHT, row.title, css))
            target_x = round(label_width + length(row.target_fen), 1)
            markers.append(Marker(target_x, y + 4, y + 26))
            y += ROW_HEIGHT
    return BarChart(frame=Frame(width, max(y, ROW_HEIGHT) + 4), labels=labels, bars=bars, markers=markers)
