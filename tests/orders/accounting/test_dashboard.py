"""The public common-prosperity dashboard (/gongfu/ and /api/v1/dashboard/): its figures on
hand-made sales, Asia/Shanghai month and year boundaries, privacy, the API shape and errors,
and a query count that does not grow with the data."""

import datetime

import pytest
from django.urls import reverse

from orders.accounting.allocations import allocations_book_for_order
from orders.accounting.dashboard import (
    MIN_GROUP_SIZE,
    current_year,
    dashboard_for_year,
    median_fen,
    months_elapsed,
    percent,
    year_parse,
)
from orders.accounting.dashboard_views import alliance_monthly_chart, village_bars_chart
from orders.accounting.periods import period_close, period_submit_for_review
from orders.buying.refunds import refund_create
from orders.models import WorkRecord
from shop.models import Alliance, Participant, Village
from tests.orders.helpers import paid as _paid
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# 长街蛭子 2 × ¥68 books 西岙 3326, 伍山 2772, 大湖 2772, 岳井 2218 (see test_booking): 11088 to villages.
CHANGJIE_TWO_UNITS = {"西岙村": 3326, "伍山村": 2772, "大湖村": 2772, "岳井村": 2218}
CHANGJIE = "长街海韵党建联建片区"
SIMING = "四明山共富党建联建片区"




def _booked_at(at: datetime.datetime, *items):
    """An order whose earnings are booked at a chosen moment (payments always book at now)."""
    order = place(*items)
    allocations_book_for_order(order=order, at=at)
    return order


def _village(board, name):
    return next(v for v in board.villages if v.name == name)


def _alliance(board, name):
    return next(a for a in board.alliances if a.name == name)


def _close_with_work(period, superuser, work: dict[str, int]):
    for name, quantity in work.items():
        WorkRecord.objects.create(participant=Participant.objects.get(name=name), month=period.month, quantity=quantity)
    period_submit_for_review(period=period)
    return period_close(period=period, actor=superuser)


@pytest.fixture
def sales(localstripe, superuser):
    """This year: 长街 sells 2 units (kept), 四明山 sells 3 bags of peanuts (refunded in full);
    长街's month closes with work by three low-income and one other participant.
    Last year: 长街 sold 1 unit (villages 5544)."""
    year = current_year()
    kept = _paid(localstripe, ("CJ-ZZ-500G", 2))
    refunded = _paid(localstripe, ("SM-HS-250G", 3))
    refund_create(order=refunded, amount_fen=refunded.total_fen)
    # Last year's month is booked and closed first: nothing is booked into a month before a
    # closed one, and a month closes only after the months before it.
    last_year = _booked_at(datetime.datetime(year - 1, 6, 15, 4, 0, tzinfo=UTC), ("CJ-ZZ-500G", 1))
    _close_with_work(last_year.lines.get().allocations.first().period, superuser, {"陈阿梅": 1})
    # labour pool ¥6.00 shared by work 1:2:3:4 → 60, 120, 180 (low-income) and 240 (陈阿梅, not low-income)
    distributions = _close_with_work(
        kept.lines.get().allocations.first().period, superuser, {"王秀英": 1, "林美华": 2, "胡小燕": 3, "陈阿梅": 4}
    )
    assert sorted(d.amount_fen for d in distributions) == [60, 120, 180, 240]
    return year


# --- figures -------------------------------------------------------------------------------------


def test_village_income_is_net_of_refunds_and_measured_against_the_target(sales):
    board = dashboard_for_year(year=sales)
    for name, amount in CHANGJIE_TWO_UNITS.items():
        assert _village(board, name).income_fen == amount
    for name in ("柿林村", "丁家畈村", "棠溪村"):  # 四明山's sale was refunded in full
        assert _village(board, name).income_fen == 0
    xiao = _village(board, "西岙村")
    assert xiao.target_fen == 15_000_000
    assert xiao.percent_of_target == 0.0  # 3326 / 15,000,000 = 0.022% → 0.0
    assert board.village_income_fen == 11088
    assert len(board.villages) == Village.objects.count()


def test_percent_of_target_rounds_half_up_and_is_none_without_a_target(sales):
    Village.objects.filter(name="西岙村").update(income_target_fen=0)
    Village.objects.filter(name="岳井村").update(income_target_fen=17744)  # 2218 / 17744 = 12.5%
    Village.objects.filter(name="伍山村").update(income_target_fen=2772)
    board = dashboard_for_year(year=sales)
    assert _village(board, "西岙村").percent_of_target is None
    assert _village(board, "岳井村").percent_of_target == 12.5
    assert _village(board, "伍山村").percent_of_target == 100.0 and _village(board, "伍山村").reached_target
    assert board.villages_at_target == 1


def test_villages_are_grouped_by_alliance(sales):
    board = dashboard_for_year(year=sales)
    names = [v.alliance_name for v in board.villages]
    assert names == sorted(names)  # contiguous groups, alliances by name
    assert {v.name for v in _alliance(board, CHANGJIE).villages} == set(CHANGJIE_TWO_UNITS)


def test_low_income_earners_median_and_total_come_from_closed_periods(sales):
    low_income = dashboard_for_year(year=sales).low_income
    assert (low_income.earners, low_income.median_income_fen, low_income.total_fen) == (3, 120, 360)
    assert not low_income.suppressed


def test_low_income_income_is_suppressed_when_fewer_than_three_people_earned(localstripe, superuser):
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))
    _close_with_work(order.lines.get().allocations.first().period, superuser, {"王秀英": 1, "林美华": 2, "陈阿梅": 3})
    low_income = dashboard_for_year(year=current_year()).low_income
    assert MIN_GROUP_SIZE == 3
    assert (low_income.earners, low_income.median_income_fen, low_income.total_fen) == (2, None, None)
    assert low_income.suppressed


def test_no_low_income_earners_is_zero_not_suppressed(db):
    low_income = dashboard_for_year(year=current_year()).low_income
    assert (low_income.earners, low_income.median_income_fen, low_income.total_fen) == (0, None, 0)
    assert not low_income.suppressed


def test_median_is_the_middle_value_or_the_half_up_mean_of_the_two_middle_values():
    assert median_fen([]) is None
    assert median_fen([300, 100, 200]) == 200
    assert median_fen([100, 201]) == 151  # 150.5 → 151
    assert median_fen([100, 200, 300, 400]) == 250
    assert median_fen([7]) == 7


def test_percent_rounds_half_up_to_one_decimal():
    assert percent(1, 16) == 6.3  # 6.25: banker's rounding would give 6.2
    assert percent(2, 3) == 66.7
    assert percent(-1, 8) == -12.5
    assert percent(5, 0) is None and percent(5, -1) is None


def test_alliances_rank_by_village_income_with_growth_against_last_year(sales):
    board = dashboard_for_year(year=sales)
    changjie, *others = board.alliances
    assert (changjie.name, changjie.rank, changjie.revenue_fen, changjie.last_year_fen) == (CHANGJIE, 1, 11088, 5544)
    assert changjie.growth_percent == 100.0
    assert [a.rank for a in others] == [2, 2, 2]  # three alliances at zero share second place
    assert [a.name for a in others] == sorted(a.name for a in others)
    siming = _alliance(board, SIMING)
    assert (siming.revenue_fen, siming.last_year_fen, siming.growth_percent) == (0, 0, None)
    # last year's board: the one sale of last year, and no base before it
    last = _alliance(dashboard_for_year(year=sales - 1), CHANGJIE)
    assert (last.revenue_fen, last.growth_percent) == (5544, None)


def test_growth_is_negative_when_revenue_fell(db):
    year = current_year()
    _booked_at(datetime.datetime(year - 1, 3, 1, 4, 0, tzinfo=UTC), ("CJ-ZZ-500G", 2))
    _booked_at(datetime.datetime(year, 3, 1, 4, 0, tzinfo=UTC), ("CJ-ZZ-500G", 1))
    changjie = _alliance(dashboard_for_year(year=year), CHANGJIE)
    assert (changjie.revenue_fen, changjie.last_year_fen, changjie.growth_percent) == (5544, 11088, -50.0)


def test_an_entry_booked_on_new_years_eve_after_16_utc_belongs_to_the_next_year(db):
    # 2026-12-31 16:30 UTC is 2027-01-01 00:30 in Ningbo; 15:59 UTC is still 2026-12-31 23:59.
    _booked_at(datetime.datetime(2026, 12, 31, 16, 30, tzinfo=UTC), ("CJ-ZZ-500G", 2))
    _booked_at(datetime.datetime(2026, 12, 31, 15, 59, tzinfo=UTC), ("CJ-ZZ-500G", 1))
    board_2027 = dashboard_for_year(year=2027)
    board_2026 = dashboard_for_year(year=2026)
    changjie_2027, changjie_2026 = _alliance(board_2027, CHANGJIE), _alliance(board_2026, CHANGJIE)
    assert changjie_2027.monthly_fen == [11088] + [0] * 11
    assert changjie_2026.monthly_fen[11] == 5544
    assert (changjie_2027.revenue_fen, changjie_2027.last_year_fen) == (11088, changjie_2026.revenue_fen)
    assert _village(board_2027, "西岙村").income_fen == 3326


def test_an_entry_booked_on_the_last_evening_of_a_month_belongs_to_the_next_month(db):
    _booked_at(datetime.datetime(2026, 4, 30, 16, 0, tzinfo=UTC), ("CJ-ZZ-500G", 2))  # 1 May, 00:00 in Ningbo
    _booked_at(datetime.datetime(2026, 4, 30, 15, 59, 59, tzinfo=UTC), ("CJ-ZZ-500G", 1))
    monthly = _alliance(dashboard_for_year(year=2026), CHANGJIE).monthly_fen
    assert (monthly[3], monthly[4]) == (5544, 11088)


def test_monthly_income_per_alliance_sums_to_its_revenue(sales):
    board = dashboard_for_year(year=sales)
    for alliance in board.alliances:
        assert len(alliance.monthly_fen) == 12
        assert sum(alliance.monthly_fen) == alliance.revenue_fen
    assert [m.month for m in board.months] == list(range(1, 13))


# --- query count ---------------------------------------------------------------------------------


def test_selector_uses_a_fixed_number_of_queries_however_many_villages(sales, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        small = dashboard_for_year(year=sales)
    alliance = Alliance.objects.create(name="测试片区", slug="ceshi", district="测试县")
    Village.objects.bulk_create(
        Village(name=f"测试{i}村", slug=f"ceshi-{i}", township="测试镇", alliance=alliance) for i in range(40)
    )
    with django_assert_max_num_queries(4):
        large = dashboard_for_year(year=sales)
    assert len(large.villages) == len(small.villages) + 40 and len(large.alliances) == len(small.alliances) + 1


def test_page_and_api_use_a_bounded_number_of_queries(client, sales, django_assert_max_num_queries):
    client.get(reverse("dashboard:index"))  # warm the site settings cache
    # 4 for the figures, 1 for the years to pick from, 2 for the site and its settings (base.html)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("dashboard:index")).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("api-dashboard")).status_code == 200


# --- the page ------------------------------------------------------------------------------------


def test_page_renders_for_anonymous_users_without_any_personal_data(client, sales):
    response = client.get(reverse("dashboard:index"), {"year": sales})
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("dashboard:index") == "/gongfu/"
    for name in CHANGJIE_TWO_UNITS:
        assert name in html
    assert CHANGJIE in html and "¥110.88" in html and "¥1.20" in html  # village total; median of 60, 120, 180
    for participant in Participant.objects.all():
        assert participant.name not in html
        assert participant.phone not in html
        assert participant.bank_account not in html
    assert "13800138000" not in html and "王小明" not in html  # the buyer's contact on the orders


def test_page_draws_accessible_svg_charts_with_table_alternatives(client, sales):
    html = client.get(reverse("dashboard:index")).content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2
    assert html.count('role="img"') == 2 and html.count("<desc id=") == 2
    assert html.count("<table>") == 2
    assert "<script src=\"http" not in html


def test_page_hides_median_when_fewer_than_three_people_earned(client, localstripe, superuser):
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))
    _close_with_work(order.lines.get().allocations.first().period, superuser, {"王秀英": 1})
    html = client.get(reverse("dashboard:index")).content.decode()
    assert "¥6.00" not in html  # all of the labour pool went to one person
    assert "王秀英" not in html


@pytest.mark.parametrize("year", ["abc", "", "1999", "-5", "2026.5", "9" * 40, str(current_year() + 1)])
def test_page_shows_the_current_year_for_anything_that_is_not_a_year(client, year):
    response = client.get(reverse("dashboard:index"), {"year": year})
    assert response.status_code == 200
    assert response.context["board"].year == current_year()


def test_page_shows_the_year_asked_for(client, sales):
    response = client.get(reverse("dashboard:index"), {"year": str(sales - 1)})
    assert response.context["board"].year == sales - 1
    assert f'<option value="{sales - 1}" selected>' in response.content.decode()


def test_year_parse_accepts_only_years_we_report_on():
    assert year_parse(" 2025 ") == 2025
    assert year_parse(None) is None and year_parse("20x5") is None and year_parse("1999") is None
    assert year_parse(str(current_year() + 1)) is None


# --- the API -------------------------------------------------------------------------------------


def test_api_returns_the_documented_shape(client, sales):
    body = client.get(reverse("api-dashboard"), {"year": sales}).json()
    assert set(body) == {"year", "currency", "villages", "low_income", "alliances", "monthly"}
    assert (body["year"], body["currency"]) == (sales, "CNY")
    xiao = next(v for v in body["villages"] if v["name"] == "西岙村")
    assert set(xiao) == {"id", "name", "township", "alliance", "income_fen", "target_fen", "percent_of_target"}
    assert (xiao["township"], xiao["income_fen"], xiao["target_fen"]) == ("长街镇", 3326, 15_000_000)
    assert xiao["percent_of_target"] == 0.0
    assert xiao["alliance"] == Alliance.objects.get(name=CHANGJIE).pk
    assert body["low_income"] == {"earners": 3, "median_income_fen": 120, "total_fen": 360}
    first = body["alliances"][0]
    assert set(first) == {"id", "name", "revenue_fen", "last_year_fen", "growth_percent", "rank"}
    assert (first["name"], first["revenue_fen"], first["last_year_fen"]) == (CHANGJIE, 11088, 5544)
    assert (first["growth_percent"], first["rank"]) == (100.0, 1)
    assert next(a for a in body["alliances"] if a["name"] == SIMING)["growth_percent"] is None
    assert body["monthly"]["months"] == [f"{sales}-{m:02d}" for m in range(1, 13)]
    series = {s["name"]: s for s in body["monthly"]["alliances"]}
    assert set(series) == {a["name"] for a in body["alliances"]}
    assert sum(series[CHANGJIE]["income_fen"]) == 11088 and len(series[CHANGJIE]["income_fen"]) == 12


def test_api_defaults_to_the_current_year_and_carries_no_personal_data(client, sales):
    assert client.get(reverse("api-dashboard"), {"year": ""}).json()["year"] == current_year()  # ?year= is no year
    response = client.get(reverse("api-dashboard"))
    assert response.status_code == 200 and response.json()["year"] == current_year()
    text = response.content.decode()
    for participant in Participant.objects.all():
        assert participant.name not in text and participant.phone not in text


@pytest.mark.parametrize("year", ["abc", "1999", "2026.5", "9" * 40, str(current_year() + 1)])
def test_api_refuses_a_bad_year_with_400_in_the_house_shape(client, year):
    response = client.get(reverse("api-dashboard"), {"year": year})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message"]
    assert list(error["fields"]) == ["year"] and error["fields"]["year"]


def test_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/dashboard/"]["get"]
    assert operation["operationId"] == "dashboard_retrieve"
    assert {"200", "400"} <= set(operation["responses"])


# --- chart geometry ------------------------------------------------------------------------------


def test_village_bars_share_one_scale_and_never_go_negative(sales):
    board = dashboard_for_year(year=sales)
    chart = village_bars_chart(board.alliances_by_name)
    targets = [bar for bar in chart.bars if bar.css == "chart__track"]
    incomes = [bar for bar in chart.bars if bar.css != "chart__track"]
    headings = [label.text for label in chart.labels if label.css == "chart__heading"]
    assert len(targets) == len(incomes) == len(board.villages)
    assert headings == [a.name for a in board.alliances_by_name if a.villages]
    track = chart.frame.width - targets[0].x - 52
    assert max(bar.width for bar in targets) == track  # the largest target fills the track
    assert all(bar.width >= 0 for bar in incomes)


def test_monthly_chart_has_twelve_points_per_alliance_within_the_plot(sales):
    board = dashboard_for_year(year=sales)
    chart = alliance_monthly_chart(board.alliances_by_name)
    assert len(chart.series) == len(board.alliances) and len(chart.labels) == 12
    for series in chart.series:
        assert len(series.dots) == 12
        assert all(chart.ticks[-1].y <= d.y <= chart.ticks[0].y for d in series.dots)
    assert chart.ticks[-1].y == 12  # the top tick is at or above the highest month


def test_monthly_lines_stop_at_the_current_month_of_the_current_year(client, sales):
    board = dashboard_for_year(year=sales)
    chart = alliance_monthly_chart(board.alliances_by_name, months_shown=5)
    assert len(chart.labels) == 12  # the axis still spans the year
    assert all(len(s.dots) == 5 and len(s.points.split()) == 5 for s in chart.series)
    response = client.get(reverse("dashboard:index"))
    assert len(response.context["monthly_rows"]) == months_elapsed(current_year())
    assert months_elapsed(current_year() - 1) == 12 and months_elapsed(current_year() + 1) == 0
