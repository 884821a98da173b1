"""Chart geometry (orders.accounting.charts): plain data, checked without drawing anything."""

import pytest

from orders.accounting.charts import (
    Frame,
    Progress,
    Scale,
    axis_label,
    column_chart,
    line_chart,
    nice_step,
    progress_chart,
)

FRAME = Frame(width=360, height=220, left=64, right=10, top=12, bottom=30)
MONTHS = [str(n) for n in range(1, 13)]


@pytest.mark.parametrize("span, count, step", [(0, 4, 100), (1000, 4, 250), (9000, 4, 2500), (4_000_000, 4, 1_000_000),
                                               (1_100_000, 4, 500_000)])
def test_nice_step_is_a_round_amount_of_at_least_one_yuan(span, count, step):
    assert nice_step(span, count) == step


def test_axis_labels_are_whole_yuan_with_their_sign():
    assert (axis_label(2_500_000), axis_label(-250), axis_label(0)) == ("¥25,000", "-¥2", "¥0")


def test_the_scale_covers_every_value_and_zero_with_round_ticks():
    scale = Scale.covering(FRAME, [-300, 1234])
    assert scale.low <= -300 and scale.high >= 1234 and scale.low % scale.step == scale.high % scale.step == 0
    ticks = scale.ticks()
    assert ticks[-1].y == FRAME.top and ticks[0].y == FRAME.height - FRAME.bottom  # top and bottom of the plot
    assert [t.y for t in ticks] == sorted((t.y for t in ticks), reverse=True)
    assert scale.y(0) in [t.y for t in ticks]


def test_an_empty_chart_still_has_an_axis_of_one_yuan():
    chart = line_chart(frame=FRAME, slot_labels=MONTHS, slot_titles=MONTHS, series=[])
    assert [t.label for t in chart.ticks] == ["¥0", "¥1"] and chart.series == [] and len(chart.labels) == 12


def test_a_line_has_a_point_per_value_in_the_middle_of_its_slot_and_stops_where_values_stop():
    series = [("甲", [100, 300, 200]), ("乙", [0] * 12)]
    chart = line_chart(frame=FRAME, slot_labels=MONTHS, slot_titles=MONTHS, series=series)
    first, second = chart.series
    assert len(first.dots) == 3 and len(second.dots) == 12 and first.total == 600
    xs = [dot.x for dot in second.dots]
    assert xs[0] == round(FRAME.left + FRAME.plot_width / 24, 1) and xs == sorted(xs) and xs[-1] < FRAME.plot_right
    assert first.points.split()[1] == f"{first.dots[1].x},{first.dots[1].y}"
    assert min(dot.y for dot in first.dots) == first.dots[1].y  # ¥3.00 is the highest point
    assert first.dots[1].title == "甲 2: ¥3.00"
    assert (first.colour, first.dash) != (second.colour, second.dash)
    assert all(dot.y == chart.zero for dot in second.dots)


def test_columns_rise_from_zero_and_fall_below_it_for_negative_values():
    chart = column_chart(frame=FRAME, slot_labels=["a", "b", "c"], slot_titles=["A", "B", "C"], values=[500, 0, -200],
                         notes=["3 people", "", ""])
    up, flat, down = chart.bars
    assert up.y + up.height == chart.zero and up.height > 0
    assert flat.height == 0 and down.y == chart.zero and down.height > 0
    assert up.height / down.height == pytest.approx(500 / 200, rel=0.01)
    assert up.title == "A: ¥5.00 3 people" and flat.title == "B: ¥0.00"
    assert all(bar.width == round(FRAME.plot_width / 3 * 0.6, 1) for bar in chart.bars)


def test_progress_rows_share_one_scale_and_a_negative_amount_draws_no_bar():
    rows = [Progress("西岙村", 5000, 10000, "50.0%", "t"), Progress("伍山村", -100, 20000, "—", "t"),
            Progress("大湖村", 30000, 20000, "150.0%", "t", reached=True)]
    chart = progress_chart(width=360, label_width=76, value_width=52, groups=[("联盟", rows), ("空", [])])
    tracks = [bar for bar in chart.bars if bar.css == "chart__track"]
    amounts = [bar for bar in chart.bars if bar.css != "chart__track"]
    track = 360 - 76 - 52
    assert [bar.width for bar in amounts] == [round(5000 * track / 30000, 1), 0, track]  # the largest amount fills it
    assert tracks[1].width == round(20000 * track / 30000, 1)
    assert amounts[2].css == "chart__bar chart__bar--reached" and amounts[0].css == "chart__bar"
    assert [m.x for m in chart.markers] == [round(76 + t.width, 1) for t in tracks]
    assert [label.text for label in chart.labels if label.css == "chart__heading"] == ["联盟"]  # empty groups left out
    assert chart.frame.height == 28 + 3 * 30 + 4
