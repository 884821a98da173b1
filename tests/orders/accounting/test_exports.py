"""Statement tables, their CSV / XLSX / PDF exports, and the drill-down behind a figure."""

import csv
import datetime
import io
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db.models import Sum

from orders.accounting.drilldown import DistributionBehind, LineBehind, drilldown_table, lines_behind
from orders.accounting.exports import ExportError, Table, statements_table, to_csv, to_pdf, to_xlsx, yuan
from orders.accounting.months import month_next
from orders.accounting.periods import period_close, period_submit_for_review
from orders.accounting.statements import Recipient, payout_record, statement_for
from orders.buying.cart import Attribution, cart_add
from orders.buying.checkout import order_place
from orders.buying.refunds import refund_create
from orders.models import (
    Allocation,
    Cart,
    EntryType,
    LabourDistribution,
    PayoutRecipient,
    RecipientType,
    SettlementPeriod,
    WorkRecord,
)
from shop.models import Participant, Village
from tests.orders.helpers import ADDRESS, pay, place

pytestmark = pytest.mark.django_db

HOST_ID = 77
MONEY = slice(2, 7)  # opening, earned, reversed, paid out, closing


def _paid(localstripe, *items):
    return pay(localstripe, place(*items))


def _paid_in_live_room(localstripe, sku, quantity):
    cart = Cart.objects.create()
    cart_add(cart=cart, sku=sku, quantity=quantity, attribution=Attribution(live_session_id=5, host_id=HOST_ID, host_rate_bp=1000))
    return pay(localstripe, order_place(cart=cart, contact=ADDRESS))


@dataclass
class Activity:
    period: SettlementPeriod
    refunded_order_number: str


@pytest.fixture
def month_of_activity(localstripe, superuser):
    """长街 sells zhizi (one order in the live room), refunds part of one, pays 西岙村 and closes.

    A 四明山 order is booked too, and must show nowhere in 长街's table. The demo's months of
    activity lie underneath, so balances open above zero.
    """
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))
    _paid_in_live_room(localstripe, "CJ-ZZ-500G", 1)
    _paid(localstripe, ("SM-HS-250G", 1))
    refund_create(order=order, amount_fen=5000)
    period = order.lines.get().allocations.first().period
    cooperative = period.cooperative
    xiao = Village.objects.get(slug="xiao")
    payout_record(
        cooperative=cooperative, recipient=Recipient(PayoutRecipient.VILLAGE, village_id=xiao.pk), amount_fen=1000,
        bank_reference="宁波银行 0001", paid_on=datetime.date.today(), actor=superuser,
    )
    worker = Participant.objects.get(name="王秀英")
    WorkRecord.objects.create(participant=worker, month=period.month, quantity=5)
    WorkRecord.objects.create(participant=Participant.objects.get(name="陈阿梅"), month=period.month, quantity=3)
    period_submit_for_review(period=period)
    period_close(period=period, actor=superuser)
    period.refresh_from_db()
    return Activity(period=period, refunded_order_number=order.number)


def _recipient_of(row, cooperative) -> Recipient:
    """Find the Recipient a table row is about, from its kind and name (as a reader would)."""
    kind = {str(label): value for value, label in PayoutRecipient.choices}[row[0]]
    if kind == PayoutRecipient.VILLAGE:
        township, name = row[1].split("·")
        return Recipient(kind, village_id=Village.objects.get(township=township, name=name).pk)
    if kind == PayoutRecipient.PARTICIPANT:
        return Recipient(kind, participant_id=Participant.objects.get(name=row[1], workshop__cooperative=cooperative).pk)
    if kind == PayoutRecipient.HOST:
        return Recipient(kind, host_id=int(row[1].removeprefix("#")))
    return Recipient(kind)


# --- the table ---------------------------------------------------------------------------------


def test_every_row_equals_statement_for_and_the_totals_row_sums_the_rows(month_of_activity):
    period = month_of_activity.period
    table = statements_table(cooperative=period.cooperative, month=period.month)
    assert table.rows
    for row in table.rows:
        statement = statement_for(cooperative=period.cooperative, recipient=_recipient_of(row, period.cooperative), month=period.month)
        assert row[MONEY] == [statement.opening_fen, statement.earned_fen, statement.reversed_fen,
                              statement.paid_out_fen, statement.closing_fen], row
    assert table.totals[MONEY] == [sum(row[c] for row in table.rows) for c in range(2, 7)]


def test_table_lists_villages_participants_host_reserve_and_platform_of_that_cooperative_only(month_of_activity):
    period = month_of_activity.period
    table = statements_table(cooperative=period.cooperative, month=period.month)
    names = [row[1] for row in table.rows]
    assert {"长街镇·西岙村", "长街镇·伍山村", "长街镇·大湖村", "长街镇·岳井村"} <= set(names)
    assert {"王秀英", "陈阿梅", f"#{HOST_ID}", "平台", "公司留存"} <= set(names)
    paid_participants = set(
        LabourDistribution.objects.filter(period__cooperative=period.cooperative, period__month__lte=period.month)
        .values_list("participant__name", flat=True)
    )
    hosts = {f"#{h}" for h in Allocation.objects.filter(cooperative=period.cooperative, host_id__isnull=False).values_list("host_id", flat=True)}
    # Nothing from 四明山, no participant who never earned.
    assert len(names) == len(set(names)) == 4 + len(paid_participants) + len(hosts) + 2
    assert all(row[1] in paid_participants for row in table.rows if row[0] == str(PayoutRecipient.PARTICIPANT.label))
    xiao = table.rows[names.index("长街镇·西岙村")]
    assert xiao[5] >= 1000 and xiao[6] == xiao[2] + xiao[3] + xiao[4] - xiao[5]  # ours and the demo's payouts
    # Labour pool 600 + 300 less the refund's share, shared 5 : 3 at close.
    wang, chen = table.rows[names.index("王秀英")], table.rows[names.index("陈阿梅")]
    assert wang[3] > chen[3] > 0


def test_earnings_less_reversals_of_all_rows_equal_what_the_cooperative_took_in(month_of_activity):
    # Every fen captured less refunded (excluding delivery) is somewhere in the table, once.
    # (labour reaches the table through the distributions made at close, not as booked).
    period = month_of_activity.period
    in_period = Allocation.objects.filter(period=period)
    net = in_period.aggregate(total=Sum("amount_fen"))["total"]
    labour = in_period.filter(recipient_type=RecipientType.LABOUR).aggregate(total=Sum("amount_fen"))["total"]
    distributed = LabourDistribution.objects.filter(period=period).aggregate(total=Sum("amount_fen"))["total"]
    table = statements_table(cooperative=period.cooperative, month=period.month)
    assert table.totals[3] + table.totals[4] == net - labour + distributed


def test_recipient_type_keeps_only_that_kind_and_an_unknown_kind_is_refused(month_of_activity):
    period = month_of_activity.period
    villages = statements_table(cooperative=period.cooperative, month=period.month, recipient_type=PayoutRecipient.VILLAGE)
    assert len(villages.rows) == 4 and all(row[0] == str(PayoutRecipient.VILLAGE.label) for row in villages.rows)
    with pytest.raises(ValueError, match="recipient type"):
        statements_table(cooperative=period.cooperative, month=period.month, recipient_type="labour")


def test_next_month_opens_with_this_months_closing(month_of_activity):
    period = month_of_activity.period
    this = statements_table(cooperative=period.cooperative, month=period.month)
    following = statements_table(cooperative=period.cooperative, month=month_next(period.month))
    closing = {row[1]: row[6] for row in this.rows}
    assert {row[1]: row[2] for row in following.rows} == closing
    assert all(row[3] == row[4] == row[5] == 0 for row in following.rows)


def test_building_the_table_takes_the_same_few_queries_however_many_recipients(month_of_activity, django_assert_max_num_queries):
    period = month_of_activity.period
    cooperative = period.cooperative
    # allocations, distributions, payouts (each grouped), shareholdings, villages, participants, hosts
    with django_assert_max_num_queries(7):
        table = statements_table(cooperative=cooperative, month=period.month)
    assert len(table.rows) >= 9


# --- writers -----------------------------------------------------------------------------------


def test_csv_starts_with_a_bom_and_parses_back_to_the_same_figures_in_yuan(month_of_activity):
    period = month_of_activity.period
    table = statements_table(cooperative=period.cooperative, month=period.month)
    data = to_csv(table)
    assert data.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header == table.headers
    assert len(rows) == len(table.rows) + 1
    for parsed, row in zip(rows, table.rows + [table.totals], strict=True):
        assert parsed[:2] == [str(row[0]), str(row[1])]
        assert [Decimal(cell) for cell in parsed[MONEY]] == [yuan(fen) for fen in row[MONEY]]
        assert all(cell.count(".") == 1 and len(cell.split(".")[1]) == 2 for cell in parsed[MONEY])
    assert "长街镇·西岙村" in data.decode("utf-8-sig")


def test_csv_writes_plain_integers_exactly_and_negative_yuan_with_their_sign():
    table = Table("t", ["n", "money"], [[123456789, -5], [7, 3326]], [130, 3321], money_columns=(1,))
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert rows == [["n", "money"], ["123456789", "-0.05"], ["7", "33.26"], ["130", "33.21"]]


def test_xlsx_reads_back_the_same_numbers_and_the_money_column_sums_exactly_to_its_total(month_of_activity):
    from openpyxl import load_workbook

    period = month_of_activity.period
    table = statements_table(cooperative=period.cooperative, month=period.month)
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == table.headers
    assert all(cell.font.bold for cell in sheet[1]) and all(cell.font.bold for cell in sheet[sheet.max_row])
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(row=2, column=3).number_format == "#,##0.00"
    body, totals = values[1:-1], values[-1]
    for read, row in zip(body, table.rows, strict=True):
        assert read[:2] == row[:2]
        assert [Decimal(str(cell)) for cell in read[MONEY]] == [yuan(fen) for fen in row[MONEY]]
    for column in range(2, 7):
        assert sum(Decimal(str(read[column])) for read in body) == Decimal(str(totals[column])) == yuan(table.totals[column])
    assert sheet.column_dimensions["B"].width >= len("长街镇·西岙村") * 2


def _pdftotext(data: bytes, tmp_path) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    path = tmp_path / "statements.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_pdf_embeds_the_chinese_font_and_shows_the_villages_and_money(month_of_activity, tmp_path):
    period = month_of_activity.period
    table = statements_table(cooperative=period.cooperative, month=period.month)
    data = to_pdf(table)
    assert data.startswith(b"%PDF")
    assert b"NotoSansCJKSC" in data  # the Simplified Chinese face, embedded (as a subset)
    text = _pdftotext(data, tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; the font check above passed")
    assert "长街镇·西岙村" in text and "公司留存" in text
    assert "¥" in text and "1 / 1" in text  # the page footer


def test_a_long_pdf_numbers_its_pages(tmp_path):
    rows = [["村", f"第{i}村", i * 101] for i in range(120)]
    table = Table("很多行", ["类型", "名称", "金额"], rows, ["合计", "", sum(r[2] for r in rows)], money_columns=(2,))
    text = _pdftotext(to_pdf(table), tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pages = text.split("\f")
    assert len([page for page in pages if page.strip()]) >= 3
    assert "2 / " in pages[1]
    assert "¥120.19" in text and "¥7,211.40" in text  # the last row (119 × 101 fen) and the total


def test_writers_give_the_same_bytes_for_the_same_table(month_of_activity):
    period = month_of_activity.period
    table = statements_table(cooperative=period.cooperative, month=period.month)
    for writer in (to_csv, to_xlsx, to_pdf):
        assert writer(table) == writer(table), writer.__name__


def test_pdf_names_the_fix_when_the_chinese_font_is_missing(settings):
    settings.EXPORT_PDF_FONTS = {"regular": "/nonexistent/NotoSansCJK-Regular.ttc"}
    with pytest.raises(ExportError, match="fonts-noto-cjk"):
        to_pdf(Table("t", ["a"], [["b"]], None))


# --- drill-down --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "recipient",
    [
        pytest.param(lambda: Recipient(PayoutRecipient.VILLAGE, village_id=Village.objects.get(slug="xiao").pk), id="village"),
        pytest.param(lambda: Recipient(PayoutRecipient.HOST, host_id=HOST_ID), id="host"),
        pytest.param(lambda: Recipient(PayoutRecipient.PLATFORM), id="platform"),
        pytest.param(lambda: Recipient(PayoutRecipient.RESERVE), id="reserve"),
    ],
)
def test_drilldown_rows_sum_to_the_statements_earned_and_reversed(month_of_activity, recipient):
    period, recipient = month_of_activity.period, recipient()
    statement = statement_for(cooperative=period.cooperative, recipient=recipient, month=period.month)
    earned = lines_behind(cooperative=period.cooperative, month=period.month, recipient=recipient, entry_type=EntryType.EARNING)
    reversed_ = lines_behind(cooperative=period.cooperative, month=period.month, recipient=recipient, entry_type=EntryType.REVERSAL)
    assert all(isinstance(row, LineBehind) for row in earned + reversed_)
    assert sum(row.amount_fen for row in earned) == statement.earned_fen > 0
    assert sum(row.amount_fen for row in reversed_) == statement.reversed_fen
    everything = lines_behind(cooperative=period.cooperative, month=period.month, recipient=recipient)
    assert sorted(everything, key=lambda r: r.allocation_id) == sorted(earned + reversed_, key=lambda r: r.allocation_id)
    assert [(r.booked_at, r.allocation_id) for r in everything] == sorted((r.booked_at, r.allocation_id) for r in everything)


def test_drilldown_names_the_order_line_and_shows_the_partial_refund(month_of_activity):
    period = month_of_activity.period
    xiao = Recipient(PayoutRecipient.VILLAGE, village_id=Village.objects.get(slug="xiao").pk)
    rows = [
        row for row in lines_behind(cooperative=period.cooperative, month=period.month, recipient=xiao)
        if row.order_number == month_of_activity.refunded_order_number
    ]
    assert [row.entry_type for row in rows] == [EntryType.EARNING, EntryType.REVERSAL]
    first, refund = rows
    assert (first.product_title, first.line_total_fen, first.amount_fen) == ("长街蛭子", 13600, 3326)
    assert first.variant_label and first.order_number == refund.order_number and refund.refund_id is not None
    assert refund.amount_fen < 0 and refund.date == first.date


def test_a_participants_drilldown_is_their_labour_distribution(month_of_activity):
    period = month_of_activity.period
    worker = Recipient(PayoutRecipient.PARTICIPANT, participant_id=Participant.objects.get(name="王秀英").pk)
    rows = lines_behind(cooperative=period.cooperative, month=period.month, recipient=worker)
    assert len(rows) == 1 and isinstance(rows[0], DistributionBehind)
    assert (rows[0].workshop_name, rows[0].work) == ("长街蛭子分拣共富工坊", 5)
    assert rows[0].amount_fen == statement_for(cooperative=period.cooperative, recipient=worker, month=period.month).earned_fen
    assert lines_behind(cooperative=period.cooperative, month=period.month, recipient=worker, entry_type=EntryType.REVERSAL) == []


def test_drilldown_table_exports_with_the_same_writers(month_of_activity):
    period = month_of_activity.period
    xiao = Recipient(PayoutRecipient.VILLAGE, village_id=Village.objects.get(slug="xiao").pk)
    table = drilldown_table(cooperative=period.cooperative, month=period.month, recipient=xiao)
    statement = statement_for(cooperative=period.cooperative, recipient=xiao, month=period.month)
    assert table.totals[5] == statement.earned_fen + statement.reversed_fen
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert rows[-1][5] == f"{yuan(table.totals[5]):.2f}"
    assert to_xlsx(table).startswith(b"PK") and to_pdf(table).startswith(b"%PDF")
    with pytest.raises(ValueError, match="entry type"):
        lines_behind(cooperative=period.cooperative, month=period.month, recipient=xiao, entry_type="refund")
