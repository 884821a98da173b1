"""The accountants' workbench in the Wagtail admin and the accounting API: figures, the close,
statements and their exports, payouts, and above all scoping to the accountant's cooperatives."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from orders.accounting.months import months_ending
from orders.accounting.periods import period_submit_for_review
from orders.accounting.statements import Recipient, balance_fen
from orders.accounting.workbench_selectors import (
    low_income_income_by_month,
    period_totals,
    village_income_by_month,
)
from orders.accounting.workbench_views import month_charts
from orders.models import (
    Allocation,
    EntryType,
    LabourDistribution,
    Order,
    OrderLine,
    Payout,
    PayoutRecipient,
    PeriodStatus,
    RecipientType,
    SettlementPeriod,
    WorkRecord,
)
from shop.models import Cooperative, Participant, Village, Workshop
from shop.money import format_fen
from tests.orders.helpers import paid as _paid

pytestmark = pytest.mark.django_db

CHANGJIE, SIMING = "changjie-qiangcun", "siming-shan"
MARCH = datetime.date(2025, 3, 1)  # long before the demo's months: only this file's entries


# --- people -------------------------------------------------------------------------------------


def _accountant(django_user_model, username: str, *cooperative_slugs: str):
    from orders.models import Accountant

    user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw-for-tests-only")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    accountant = Accountant.objects.create(user=user)
    accountant.cooperatives.set(Cooperative.objects.filter(slug__in=cooperative_slugs))
    return user


@pytest.fixture
def changjie_accountant(django_user_model):
    return _accountant(django_user_model, "kuaiji-changjie", CHANGJIE)


@pytest.fixture
def siming_accountant(django_user_model):
    return _accountant(django_user_model, "kuaiji-siming", SIMING)


@pytest.fixture
def staff(django_user_model):
    """Admin access, but no cooperative's books."""
    user = django_user_model.objects.create_user("fulfilment-staff", "staff@example.com", "pw-for-tests-only", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- data -------------------------------------------------------------------------------------------


def _booked(cooperative: Cooperative, month: datetime.date, entries: list[dict]) -> SettlementPeriod:
    """Hand-made ledger entries in the cooperative's period of `month`, on one made-up order line."""
    period, _ = SettlementPeriod.objects.get_or_create(cooperative=cooperative, month=month)
    at = datetime.datetime(month.year, month.month, 10, 4, tzinfo=datetime.UTC)
    total = sum(e["amount_fen"] for e in entries if e.get("entry_type", EntryType.EARNING) == EntryType.EARNING)
    order = Order.objects.create(
        number=f"T{month:%Y%m}{cooperative.pk}{Order.objects.count():05d}", phone="13800138000", shipping_method="none",
        subtotal_fen=total, shipping_fen=0, total_fen=total, status="paid", reserved_until=at, paid_at=at,
    )
    line = OrderLine.objects.create(
        order=order, cooperative=cooperative, sku="HAND-MADE", product_title="手工账", variant_label="—",
        unit_price_fen=total, quantity=1, line_total_fen=total,
    )
    for entry in entries:
        Allocation.objects.create(
            line=line, period=period, cooperative=cooperative, booked_at=at,
            entry_type=entry.pop("entry_type", EntryType.EARNING), **entry,
        )
    return period




def _url(name: str, **kwargs) -> str:
    return reverse(f"workbench:{name}", kwargs=kwargs)


@pytest.fixture
def march():
    """长街's March 2025 by hand: every recipient type, a reversal, and a low-income earner."""
    changjie = Cooperative.objects.get(slug=CHANGJIE)
    xiao, wushan = Village.objects.get(slug="xiao"), Village.objects.get(slug="wushan")
    sorting = Workshop.objects.get(slug="changjie-sorting")
    period = _booked(changjie, MARCH, [
        {"recipient_type": RecipientType.PLATFORM, "amount_fen": 500},
        {"recipient_type": RecipientType.HOST, "host_id": 9, "amount_fen": 200},
        {"recipient_type": RecipientType.LABOUR, "workshop": sorting, "amount_fen": 300},
        {"recipient_type": RecipientType.RESERVE, "amount_fen": 100},
        {"recipient_type": RecipientType.VILLAGE, "village": xiao, "amount_fen": 600},
        {"recipient_type": RecipientType.VILLAGE, "village": wushan, "amount_fen": 400},
        {"recipient_type": RecipientType.VILLAGE, "village": xiao, "amount_fen": -100, "entry_type": EntryType.REVERSAL},
    ])
    _booked(changjie, datetime.date(2025, 1, 1), [{"recipient_type": RecipientType.VILLAGE, "village": xiao, "amount_fen": 250}])
    worker = Participant.objects.get(name="王秀英")  # low-income
    WorkRecord.objects.create(participant=worker, month=MARCH, quantity=4)
    LabourDistribution.objects.create(period=period, workshop=sorting, participant=worker, work=4, amount_fen=120)
    return period


# --- the overview ------------------------------------------------------------------------------------


def test_overview_totals_every_recipient_type_and_village_when_the_month_has_entries(march, changjie_accountant):
    totals = period_totals(cooperative=march.cooperative, month=MARCH)
    assert {t: (f.earned_fen, f.reversed_fen) for t, f in totals.by_type.items()} == {
        "platform": (500, 0), "host": (200, 0), "labour": (300, 0), "reserve": (100, 0), "village": (1000, -100),
    }
    assert (totals.total.earned_fen, totals.total.reversed_fen, totals.total.net_fen) == (2100, -100, 2000)
    by_village = {v.slug: (f.earned_fen, f.reversed_fen, f.net_fen) for v, f in totals.by_village}
    assert by_village == {"xiao": (600, -100, 500), "wushan": (400, 0, 400), "dahu": (0, 0, 0), "yuejing": (0, 0, 0)}

    response = _client(changjie_accountant).get(_url("overview", cooperative=CHANGJIE, month="2025-03"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-total-net>¥20.00<' in html
    assert "¥6.00" in html and "-¥1.00" in html
    pools = {p.workshop.slug: (p.booked_fen, p.balance_fen, p.work) for p in response.context["pools"]}
    assert pools == {"changjie-sorting": (300, 180, 4)}  # ¥3.00 booked, ¥1.20 handed out at close
    assert 'data-chart="village-income"' in html and 'data-chart="low-income"' in html
    assert "<script" not in html.split('data-chart="village-income"')[1].split("</svg>")[0]


def test_charts_show_village_income_and_low_income_earnings_per_month_when_there_are_months_behind(march):
    months = months_ending(MARCH, 12)
    assert (months[0], months[-1]) == (datetime.date(2024, 4, 1), MARCH)
    series = {v.slug: values for v, values in village_income_by_month(cooperative=march.cooperative, months=months)}
    assert series["xiao"][-3:] == [250, 0, 500] and series["wushan"][-1] == 400 and sum(series["dahu"]) == 0
    low = low_income_income_by_month(cooperative=march.cooperative, months=months)
    assert (low[-1].amount_fen, low[-1].earners) == (120, 1) and sum(m.amount_fen for m in low) == 120

    villages = [(v, values) for v, values in village_income_by_month(cooperative=march.cooperative, months=months)]
    charts = month_charts(months, [(v, values) for v, values in villages if v.slug == "xiao"], low)
    points = [tuple(map(float, p.split(","))) for p in charts["village_chart"].series[0].points.split()]
    assert len(points) == 12 and min(y for _x, y in points) == points[-1][1]  # March is the highest point
    bars = charts["low_income_chart"].bars
    assert bars[-1].height > 0 and all(bar.height == 0 for bar in bars[:-1])


# --- the close ---------------------------------------------------------------------------------------


def test_accountant_reviews_previews_and_closes_a_month_through_the_views(localstripe, changjie_accountant):
    order = _paid(localstripe, ("CJ-ZZ-500G", 10))  # ¥30.00 of labour for 长街蛭子分拣共富工坊
    period = order.lines.get().allocations.first().period
    month = f"{period.month:%Y-%m}"
    for name, units in {"王秀英": 3, "陈阿梅": 2, "林美华": 2}.items():
        WorkRecord.objects.create(participant=Participant.objects.get(name=name), month=period.month, quantity=units)
    client = _client(changjie_accountant)

    overview = client.get(_url("overview", cooperative=CHANGJIE, month=month))
    assert overview.status_code == 200 and overview.context["can_review"] and not overview.context["can_close"]

    # when they submit it for review
    response = client.post(_url("review", cooperative=CHANGJIE, month=month), follow=True)
    period.refresh_from_db()
    assert period.status == PeriodStatus.IN_REVIEW
    assert response.context["can_close"] and response.context["can_reopen"]

    # then the close page shows who gets what before anything is booked
    preview = client.get(_url("close", cooperative=CHANGJIE, month=month))
    shares = {s.participant.name: s.amount_fen for w in preview.context["preview"].workshops for s in w.shares}
    assert shares == {"王秀英": 1286, "陈阿梅": 857, "林美华": 857}
    assert "¥12.86" in preview.content.decode() and not preview.context["preview"].blockers
    assert not LabourDistribution.objects.filter(period=period).exists()

    # an unconfirmed close does nothing
    refused = client.post(_url("close", cooperative=CHANGJIE, month=month), {})
    assert refused.status_code == 200 and refused.context["form"].errors
    period.refresh_from_db()
    assert period.status == PeriodStatus.IN_REVIEW

    # a confirmed one books exactly the preview and locks the month
    closed = client.post(_url("close", cooperative=CHANGJIE, month=month), {"confirm": "on"})
    assert closed.status_code == 302
    period.refresh_from_db()
    assert (period.status, period.closed_by) == (PeriodStatus.CLOSED, changjie_accountant)
    assert {d.participant.name: d.amount_fen for d in LabourDistribution.objects.filter(period=period)} == shares

    # and a closed month cannot be reviewed again: the service's refusal is shown
    again = client.post(_url("review", cooperative=CHANGJIE, month=month), follow=True)
    assert [m.level_tag for m in again.context["messages"]][-1] == "error"
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED


def test_closing_shows_the_services_refusal_when_an_earlier_month_is_still_open(march, changjie_accountant):
    later = _booked(march.cooperative, datetime.date(2025, 4, 1), [{"recipient_type": RecipientType.PLATFORM, "amount_fen": 10}])
    period_submit_for_review(period=later)
    client = _client(changjie_accountant)

    preview = client.get(_url("close", cooperative=CHANGJIE, month="2025-04"))
    assert any("2025-03" in blocker for blocker in preview.context["preview"].blockers)
    response = client.post(_url("close", cooperative=CHANGJIE, month="2025-04"), {"confirm": "on"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    later.refresh_from_db()
    assert later.status == PeriodStatus.IN_REVIEW


def test_a_month_in_review_can_be_reopened_from_the_overview(march, changjie_accountant):
    period_submit_for_review(period=march)
    response = _client(changjie_accountant).post(_url("reopen", cooperative=CHANGJIE, month="2025-03"))
    assert response.status_code == 302
    march.refresh_from_db()
    assert march.status == PeriodStatus.OPEN


# --- statements, drill-down and exports --------------------------------------------------------------


@pytest.fixture
def sold(localstripe):
    """Two 500g bags of 长街蛭子 paid this month: 西岙村 earns ¥33.26 (see test_booking)."""
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))
    return order.lines.get().allocations.first().period


def test_statements_list_every_recipient_and_drill_down_to_the_order_lines(sold, changjie_accountant):
    client = _client(changjie_accountant)
    month = f"{sold.month:%Y-%m}"
    xiao = Village.objects.get(slug="xiao")

    page = client.get(_url("statements", cooperative=CHANGJIE, month=month))
    assert page.status_code == 200
    rows = {key: row.statement for row, _kind, key in page.context["rows"]}
    assert rows[f"village:{xiao.pk}"].earned_fen == 3326 and "platform" in rows and "reserve" in rows

    drill = client.get(_url("drilldown", cooperative=CHANGJIE, month=month, recipient=f"village:{xiao.pk}"))
    assert drill.status_code == 200
    assert [r.amount_fen for r in drill.context["rows"]] == [3326]
    assert drill.context["rows"][0].order_number in drill.content.decode()


def test_drill_down_refuses_a_participant_of_another_cooperative(sold, changjie_accountant):
    other = Participant.objects.get(name="黄金根")  # 四明山's
    response = _client(changjie_accountant).get(
        _url("drilldown", cooperative=CHANGJIE, month=f"{sold.month:%Y-%m}", recipient=f"participant:{other.pk}")
    )
    assert response.status_code == 404
    assert "黄金根" not in response.content.decode()


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ],
)
def test_statements_download_with_the_right_type_and_file_name(sold, changjie_accountant, fmt, content_type):
    month = f"{sold.month:%Y-%m}"
    response = _client(changjie_accountant).get(_url("export", cooperative=CHANGJIE, month=month, fmt=fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="statements-{CHANGJIE}-{month}.{fmt}"'
    body = response.content
    if fmt == "csv":
        assert body.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        xiao = next(row for row in rows if "西岙村" in row[1])
        assert xiao[3] == "33.26"
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(body)).active
        xiao = next(row for row in sheet.iter_rows(values_only=True) if row[1] and "西岙村" in row[1])
        assert str(xiao[3]) == "33.26"
    else:
        assert body.startswith(b"%PDF")


def test_an_unknown_export_format_is_not_found(sold, changjie_accountant):
    response = _client(changjie_accountant).get(_url("export", cooperative=CHANGJIE, month=f"{sold.month:%Y-%m}", fmt="doc"))
    assert response.status_code == 404


# --- payouts ----------------------------------------------------------------------------------------------


def _payout_form(village: Village, amount: str, reference: str = "宁波银行 0001") -> dict:
    return {"recipient": f"village:{village.pk}", "amount": amount, "bank_reference": reference,
            "paid_on": datetime.date.today().isoformat()}


def test_a_payout_over_the_balance_is_refused_through_the_form(sold, changjie_accountant):
    xiao = Village.objects.get(slug="xiao")
    recipient = Recipient(PayoutRecipient.VILLAGE, village_id=xiao.pk)
    balance = balance_fen(cooperative=sold.cooperative, recipient=recipient)
    over = format_fen(balance + 1, symbol="").replace(",", "")
    before = Payout.objects.count()

    response = _client(changjie_accountant).post(_url("payouts", cooperative=CHANGJIE), _payout_form(xiao, over))

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors and format_fen(balance) in errors[0]
    assert Payout.objects.count() == before


def test_a_payout_in_yuan_is_recorded_to_the_fen(sold, changjie_accountant):
    xiao = Village.objects.get(slug="xiao")
    recipient = Recipient(PayoutRecipient.VILLAGE, village_id=xiao.pk)
    balance = balance_fen(cooperative=sold.cooperative, recipient=recipient)
    client = _client(changjie_accountant)

    response = client.post(_url("payouts", cooperative=CHANGJIE), _payout_form(xiao, "¥12.34", "BANK-REF-77"))

    assert response.status_code == 302
    payout = Payout.objects.get(bank_reference="BANK-REF-77")
    assert (payout.amount_fen, payout.recorded_by) == (1234, changjie_accountant)
    assert balance_fen(cooperative=sold.cooperative, recipient=recipient) == balance - 1234
    assert "BANK-REF-77" in client.get(_url("payouts", cooperative=CHANGJIE)).content.decode()


def test_a_payout_cannot_go_to_a_village_of_another_cooperative(changjie_accountant):
    shilin = Village.objects.get(slug="shilin")  # 四明山's shareholder
    response = _client(changjie_accountant).post(_url("payouts", cooperative=CHANGJIE), _payout_form(shilin, "1.00"))
    assert response.status_code == 200 and "recipient" in response.context["form"].errors
    assert not Payout.objects.filter(bank_reference="宁波银行 0001", village=shilin, period__cooperative__slug=CHANGJIE).exists()


# --- scoping: every URL ---------------------------------------------------------------------------------


def _workbench_urls(period: SettlementPeriod) -> list[tuple[str, str, dict]]:
    """Every workbench URL for the period's cooperative: (method, url, data)."""
    slug, month = period.cooperative.slug, f"{period.month:%Y-%m}"
    village = period.cooperative.shareholdings.first().village_id
    participant = Participant.objects.filter(workshop__cooperative=period.cooperative).first().pk
    at = {"cooperative": slug, "month": month}
    return [
        ("get", _url("cooperative", cooperative=slug), {}),
        ("get", _url("overview", **at), {}),
        ("post", _url("review", **at), {}),
        ("post", _url("reopen", **at), {}),
        ("get", _url("close", **at), {}),
        ("post", _url("close", **at), {"confirm": "on"}),
        ("get", _url("statements", **at), {}),
        ("get", _url("export", fmt="csv", **at), {}),
        ("get", _url("export", fmt="xlsx", **at), {}),
        ("get", _url("export", fmt="pdf", **at), {}),
        ("get", _url("drilldown", recipient=f"village:{village}", **at), {}),
        ("get", _url("drilldown", recipient=f"participant:{participant}", **at), {}),
        ("get", _url("drilldown", recipient="platform", **at), {}),
        ("get", _url("payouts", cooperative=slug), {}),
        ("post", _url("payouts", cooperative=slug), {
            "recipient": f"village:{village}", "amount": "0.01", "bank_reference": "X", "paid_on": "2025-03-20",
        }),
        ("get", _url("index") + f"?cooperative={slug}&month={month}", {}),
    ]


def test_every_workbench_url_answers_its_own_accountant(march, changjie_accountant):
    client = _client(changjie_accountant)
    for method, url, data in _workbench_urls(march):
        if method == "get":
            assert client.get(url).status_code in (200, 302), url


def test_every_workbench_url_of_another_cooperative_is_not_found(march, siming_accountant):
    client = _client(siming_accountant)
    payouts_before = Payout.objects.count()
    for method, url, data in _workbench_urls(march):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    march.refresh_from_db()
    assert march.status == PeriodStatus.OPEN and Payout.objects.count() == payouts_before


def test_every_workbench_url_is_forbidden_to_staff_who_keep_no_books(march, staff):
    client = _client(staff)
    for method, url, data in [*_workbench_urls(march), ("get", _url("index"), {})]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (method, url, response.status_code)
    march.refresh_from_db()
    assert march.status == PeriodStatus.OPEN


def test_the_workbench_sends_anonymous_visitors_to_the_admin_login(march):
    for method, url, data in _workbench_urls(march):
        response = getattr(Client(), method)(url, data)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_the_settlement_menu_and_picker_show_only_what_the_user_may_see(changjie_accountant, staff):
    home = _client(changjie_accountant).get("/admin/")
    assert _url("index") in home.content.decode()
    assert _url("index") not in _client(staff).get("/admin/").content.decode()
    picker = _client(changjie_accountant).get(_url("index"))
    assert [c.slug for c, _periods in picker.context["cooperatives"]] == [CHANGJIE]


def test_a_superuser_sees_every_cooperative(superuser):
    picker = _client(superuser).get(_url("index"))
    assert {c.slug for c, _periods in picker.context["cooperatives"]} == set(Cooperative.objects.values_list("slug", flat=True))


# --- the API ---------------------------------------------------------------------------------------------------


def _api(name: str, period: SettlementPeriod | None = None) -> str:
    return reverse(name, kwargs={"id": period.pk}) if period else reverse(name)


API_READS = ["api-accounting-period", "api-accounting-period-statements"]
API_ACTIONS = ["api-accounting-period-review", "api-accounting-period-reopen", "api-accounting-period-close"]


def test_api_lists_periods_of_the_accountants_cooperatives_only(march, changjie_accountant, siming_accountant):
    _booked(Cooperative.objects.get(slug=SIMING), MARCH, [{"recipient_type": RecipientType.PLATFORM, "amount_fen": 1}])
    mine = _client(changjie_accountant).get(_api("api-accounting-periods") + f"?cooperative={CHANGJIE}").json()
    assert {p["cooperative"] for p in mine["results"]} == {CHANGJIE}
    assert any(p["month"] == "2025-03" and p["status"] == "open" for p in mine["results"])
    theirs = _client(siming_accountant).get(_api("api-accounting-periods") + "?page_size=100").json()
    assert theirs["count"] == SettlementPeriod.objects.filter(cooperative__slug=SIMING).count() > 0
    assert {p["cooperative"] for p in theirs["results"]} == {SIMING}
    only_open = _client(changjie_accountant).get(_api("api-accounting-periods") + "?status=open").json()
    assert {p["status"] for p in only_open["results"]} == {"open"}


def test_api_period_detail_has_totals_in_fen_with_the_currency(march, changjie_accountant):
    body = _client(changjie_accountant).get(_api("api-accounting-period", march)).json()
    assert body["period"] == {
        "id": march.pk, "cooperative": CHANGJIE, "cooperative_name": march.cooperative.name, "month": "2025-03",
        "status": "open", "closed_at": None,
    }
    assert body["currency"] == "CNY"
    assert body["totals"] == {"earned_fen": 2100, "reversed_fen": -100, "net_fen": 2000}
    assert [t["recipient_type"] for t in body["by_recipient_type"]] == ["platform", "host", "labour", "reserve", "village"]
    xiao = next(v for v in body["by_village"] if v["village_slug"] == "xiao")
    assert {"earned_fen": 600, "reversed_fen": -100, "net_fen": 500, "village_name": "长街镇·西岙村"}.items() <= xiao.items()
    assert body["labour_pools"] == [{
        "workshop_id": Workshop.objects.get(slug="changjie-sorting").pk, "workshop_name": "长街蛭子分拣共富工坊",
        "booked_fen": 300, "balance_fen": 180, "work": 4,
    }]


def test_api_statements_have_the_rows_of_the_export(sold, changjie_accountant):
    from orders.accounting.exports import statements_table

    body = _client(changjie_accountant).get(_api("api-accounting-period-statements", sold)).json()
    table = statements_table(cooperative=sold.cooperative, month=sold.month)
    assert [(r["name"], r["closing_fen"]) for r in body["rows"]] == [(row[1], row[6]) for row in table.rows]
    assert body["totals"]["closing_fen"] == table.totals[6]
    xiao = next(r for r in body["rows"] if r["recipient_type"] == "village" and r["name"].endswith("西岙村"))
    assert xiao["recipient_id"] == Village.objects.get(slug="xiao").pk and xiao["earned_fen"] == 3326
    assert body["currency"] == "CNY" and body["period"]["id"] == sold.pk


def test_api_review_and_close_need_the_csrf_token_and_move_the_period(sold, changjie_accountant):
    month = f"{sold.month:%Y-%m}"
    WorkRecord.objects.create(participant=Participant.objects.get(name="王秀英"), month=sold.month, quantity=2)
    client = Client(enforce_csrf_checks=True)
    client.force_login(changjie_accountant)
    assert client.post(_api("api-accounting-period-review", sold)).status_code == 403  # no token
    client.get(_url("overview", cooperative=CHANGJIE, month=month))  # sets the csrftoken cookie
    token = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}

    reviewed = client.post(_api("api-accounting-period-review", sold), **token)
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "in_review"
    closed = client.post(_api("api-accounting-period-close", sold), **token)
    assert closed.status_code == 200
    assert closed.json()["period"]["status"] == "closed" and closed.json()["currency"] == "CNY"
    # two bags at ¥3.00 of labour each, and 王秀英 alone recorded work this month
    assert [(d["participant_name"], d["amount_fen"]) for d in closed.json()["distributions"]] == [("王秀英", 600)]

    refused = client.post(_api("api-accounting-period-reopen", sold), **token)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "period_error"


def test_api_of_another_cooperative_is_not_found(march, siming_accountant):
    client = _client(siming_accountant)
    assert client.get(_api("api-accounting-periods") + f"?cooperative={CHANGJIE}").status_code == 404
    for name in API_READS:
        assert client.get(_api(name, march)).status_code == 404, name
    for name in API_ACTIONS:
        assert client.post(_api(name, march)).status_code == 404, name
    march.refresh_from_db()
    assert march.status == PeriodStatus.OPEN


def test_api_is_forbidden_to_staff_who_keep_no_books_and_to_anonymous_visitors(march, staff):
    for client in (_client(staff), Client()):
        assert client.get(_api("api-accounting-periods")).status_code == 403
        for name in API_READS:
            assert client.get(_api(name, march)).status_code == 403, name
        for name in API_ACTIONS:
            response = client.post(_api(name, march))
            assert response.status_code == 403, name
            assert response.json()["error"]["code"] in {"permission_denied", "not_authenticated"}
    march.refresh_from_db()
    assert march.status == PeriodStatus.OPEN


def _more_payees(cooperative: Cooperative, count: int, superuser) -> None:
    """`count` more participants and hosts of the cooperative, each with a payout this month."""
    period = SettlementPeriod.objects.get(cooperative=cooperative, month=MARCH)
    workshop = Workshop.objects.filter(cooperative=cooperative).first()
    for n in range(count):
        participant = Participant.objects.create(workshop=workshop, name=f"参与者{n}")
        _booked(cooperative, MARCH, [{"recipient_type": RecipientType.HOST, "host_id": 1000 + n, "amount_fen": 50}])
        for recipient_type, ids in ((PayoutRecipient.PARTICIPANT, {"participant": participant}),
                                    (PayoutRecipient.HOST, {"host_id": 1000 + n})):
            Payout.objects.create(period=period, recipient_type=recipient_type, amount_fen=1, bank_reference=f"R{n}",
                                  paid_on=MARCH, recorded_by=superuser, **ids)


def test_the_payouts_page_takes_the_same_queries_however_many_payouts_and_recipients(
    march, changjie_accountant, superuser, django_assert_num_queries,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(changjie_accountant)
    url = _url("payouts", cooperative=CHANGJIE)
    _more_payees(march.cooperative, 1, superuser)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    _more_payees(march.cooperative, 8, superuser)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["payouts"]) >= 18


@pytest.mark.parametrize("month", ["1999-12", "2101-01", "9999-01", "0000-01", "2025-13", "2025-00"])
def test_every_workbench_url_with_a_month_we_do_not_report_on_is_not_found(march, changjie_accountant, month):
    client = _client(changjie_accountant)
    at = f"/admin/settlement/{CHANGJIE}/{month}/"
    for method, url in [("get", at), ("post", at + "review/"), ("post", at + "reopen/"), ("get", at + "close/"),
                        ("get", at + "statements/"), ("get", at + "statements/export/csv/"),
                        ("get", at + "statements/platform/")]:
        assert getattr(client, method)(url).status_code == 404, (method, url)
    march.refresh_from_db()
    assert march.status == PeriodStatus.OPEN


def test_the_picker_opens_the_current_month_for_a_month_we_do_not_report_on(changjie_accountant):
    from orders.accounting.months import current_month

    response = _client(changjie_accountant).get(_url("index") + f"?cooperative={CHANGJIE}&month=2101-01")
    assert response.status_code == 302
    assert response["Location"] == _url("overview", cooperative=CHANGJIE, month=f"{current_month():%Y-%m}")


def _month_api(cooperative: str, month: str) -> str:
    return f"/api/v1/accounting/cooperatives/{cooperative}/months/{month}/statements/"


def test_api_month_statements_are_the_periods_statements(sold, changjie_accountant):
    client = _client(changjie_accountant)
    by_period = client.get(_api("api-accounting-period-statements", sold)).json()
    url = reverse("api-accounting-month-statements", kwargs={"cooperative": CHANGJIE, "month": sold.month})
    assert url == _month_api(CHANGJIE, f"{sold.month:%Y-%m}")
    by_month = client.get(url).json()
    assert by_month["rows"] == by_period["rows"] and by_month["totals"] == by_period["totals"]
    assert (by_month["cooperative"], by_month["month"], by_month["currency"]) == (CHANGJIE, f"{sold.month:%Y-%m}", "CNY")


@pytest.mark.parametrize("month", ["1999-12", "2101-01", "9999-01", "2025-13"])
def test_api_month_statements_with_a_month_we_do_not_report_on_are_not_found(march, changjie_accountant, month):
    response = _client(changjie_accountant).get(_month_api(CHANGJIE, month))
    assert response.status_code == 404


def test_api_month_statements_of_another_cooperative_are_not_found_and_refused_to_staff(march, siming_accountant, staff):
    assert _client(siming_accountant).get(_month_api(CHANGJIE, "2025-03")).status_code == 404
    assert _client(staff).get(_month_api(CHANGJIE, "2025-03")).status_code == 403


def test_api_statements_say_what_can_be_paid_out_in_the_month_and_nothing_once_it_closed(sold, changjie_accountant):
    xiao = Village.objects.get(slug="xiao")
    url = _month_api(CHANGJIE, f"{sold.month:%Y-%m}")
    client = _client(changjie_accountant)

    row = next(r for r in client.get(url).json()["rows"] if r["recipient_type"] == "village" and r["recipient_id"] == xiao.pk)
    assert row["payable_fen"] == row["closing_fen"] == 3326

    SettlementPeriod.objects.filter(pk=sold.pk).update(status=PeriodStatus.CLOSED)
    row = next(r for r in client.get(url).json()["rows"] if r["recipient_type"] == "village" and r["recipient_id"] == xiao.pk)
    assert (row["closing_fen"], row["payable_fen"]) == (3326, 0)
