"""Statement tables for accountants, and their exports as CSV, XLSX and PDF.

A `Table` is plain data: strings and integers, money as integer fen in the columns listed in
`money_columns`. Only the writers turn fen into yuan, so a figure is never rounded twice and
every export shows exactly what the ledger holds. The writers are deterministic: the same
table always gives the same bytes (no clocks, no random ids), so exports can be compared and
cached.

No views here: the accountants' workbench calls these functions.
"""

import csv
import datetime
import functools
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Sum, Value, When
from django.utils.translation import gettext as _

from orders.accounting.statements import Recipient, Statement, statement_for
from orders.models import Allocation, EntryType, LabourDistribution, Payout, PayoutRecipient, RecipientType
from shop.hooks import hook
from shop.models import Cooperative, Participant, Shareholding, Village
from shop.money import format_fen, plain_yuan


class ExportError(Exception):
    """An export cannot be written; the message says what to fix."""


@dataclass
class Table:
    """Rows of strings and integers; the columns in `money_columns` hold integer fen."""

    title: str
    headers: list[str]
    rows: list[list[str | int]]
    totals: list[str | int] | None
    money_columns: tuple[int, ...] = field(default=())


# Rows are listed in this order of recipient kinds, then by name.
KIND_ORDER = [
    PayoutRecipient.VILLAGE, PayoutRecipient.PARTICIPANT, PayoutRecipient.HOST,
    PayoutRecipient.RESERVE, PayoutRecipient.PLATFORM,
]

# ---------------------------------------------------------------------------------------------
# The statements table
# ---------------------------------------------------------------------------------------------


def _before_within(month: datetime.date, prefix: str = "period__month") -> dict:
    """Sums of amount_fen split into before the month (opening) and within it."""
    def part(condition: Q):
        return Sum(Case(When(condition, then="amount_fen"), default=Value(0), output_field=IntegerField()))

    return {"before": part(Q(**{f"{prefix}__lt": month})), "within": part(Q(**{prefix: month}))}


def _recipient_key(recipient_type: str, village_id, participant_id, host_id) -> Recipient:
    """The Recipient whose statement a payout or allocation row counts towards.

    Mirrors orders.accounting.statements: a village/participant/host is identified by its own id only;
    the platform and the reserve by their kind alone.
    """
    if recipient_type == PayoutRecipient.VILLAGE:
        return Recipient(recipient_type, village_id=village_id)
    if recipient_type == PayoutRecipient.PARTICIPANT:
        return Recipient(recipient_type, participant_id=participant_id)
    if recipient_type == PayoutRecipient.HOST:
        return Recipient(recipient_type, host_id=host_id)
    return Recipient(recipient_type)


def _is_fully_identified(recipient: Recipient) -> bool:
    """False for a village/participant/host without its id: statement_for treats those specially."""
    needed = {
        PayoutRecipient.VILLAGE: recipient.village_id,
        PayoutRecipient.PARTICIPANT: recipient.participant_id,
        PayoutRecipient.HOST: recipient.host_id,
    }
    return recipient.type not in needed or needed[recipient.type] is not None


def statements_bulk(*, cooperative: Cooperative, month: datetime.date) -> dict[Recipient, Statement]:
    """Every recipient's statement for the cooperative's month, in a fixed number of queries.

    Recipients: the shareholder villages, the reserve and the platform always; other villages,
    participants and hosts when they have allocations, labour distributions or payouts in a
    period up to `month`. The figures equal orders.accounting.statements.statement_for for each recipient
    (same entries, same before/within rule); a recipient lacking its id (a host allocation
    booked without a host, say) is computed by statement_for itself, whose rules for such
    rows are its own.
    """
    month = month.replace(day=1)
    up_to = Q(period__cooperative=cooperative, period__month__lte=month)
    # opening, earned, reversed, paid out
    figures: dict[Recipient, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for recipient_type, village_id, host_id, entry_type, before, within in (
        # Selected by the allocation's own cooperative, as orders.accounting.statements does.
        Allocation.objects.filter(cooperative=cooperative, period__month__lte=month)
        .exclude(recipient_type=RecipientType.LABOUR)  # the workshop pool is paid out through distributions
        .values_list("recipient_type", "village_id", "host_id", "entry_type")
        .order_by()
        .annotate(**_before_within(month))
    ):
        row = figures[_recipient_key(recipient_type, village_id, None, host_id)]
        row[0] += before
        row[1 if entry_type == EntryType.EARNING else 2] += within
    for participant_id, before, within in (
        LabourDistribution.objects.filter(up_to)
        .values_list("participant_id")
        .order_by()
        .annotate(**_before_within(month))
    ):
        row = figures[Recipient(PayoutRecipient.PARTICIPANT, participant_id=participant_id)]
        row[0] += before
        row[1] += within
    for recipient_type, village_id, participant_id, host_id, before, within in (
        Payout.objects.filter(up_to)
        .values_list("recipient_type", "village_id", "participant_id", "host_id")
        .order_by()
        .annotate(**_before_within(month))
    ):
        row = figures[_recipient_key(recipient_type, village_id, participant_id, host_id)]
        row[0] -= before
        row[3] += within
    for village_id in Shareholding.objects.filter(cooperative=cooperative).values_list("village_id", flat=True):
        figures[Recipient(PayoutRecipient.VILLAGE, village_id=village_id)]  # listed even when idle
    figures[Recipient(PayoutRecipient.RESERVE)]
    figures[Recipient(PayoutRecipient.PLATFORM)]
    return {
        recipient: (
            Statement(opening_fen=o, earned_fen=e, reversed_fen=r, paid_out_fen=p)
            if _is_fully_identified(recipient)
            else statement_for(cooperative=cooperative, recipient=recipient, month=month)
        )
        for recipient, (o, e, r, p) in figures.items()
    }


def recipient_names(recipients) -> dict[Recipient, str]:
    """Display names: "长街镇·西岙村", a participant's name, a host's name ("#<id>" if unknown), 平台, 公司留存."""
    recipients = list(recipients)
    village_ids = {r.village_id for r in recipients if r.village_id}
    villages = {v.pk: str(v) for v in Village.objects.filter(pk__in=village_ids).only("name", "township")}
    participants = dict(
        Participant.objects.filter(pk__in={r.participant_id for r in recipients if r.participant_id})
        .order_by()
        .values_list("pk", "name")
    )
    hosts = _host_names({r.host_id for r in recipients if r.host_id is not None})
    names = {}
    for r in recipients:
        if r.type == PayoutRecipient.VILLAGE:
            names[r] = villages.get(r.village_id, "")
        elif r.type == PayoutRecipient.PARTICIPANT:
            names[r] = participants.get(r.participant_id, "")
        elif r.type == PayoutRecipient.HOST:
            names[r] = hosts.get(r.host_id) or (f"#{r.host_id}" if r.host_id is not None else "—")
        elif r.type == PayoutRecipient.RESERVE:
            names[r] = _("Cooperative reserve")
        else:
            names[r] = _("Platform")
    return names


def _host_names(host_ids: set[int]) -> dict[int, str]:
    """Hosts are live selling's; the function named by ORDERS_HOST_NAMES names them (else "#id")."""
    names = hook("ORDERS_HOST_NAMES")
    return names(host_ids) if names and host_ids else {}


STATEMENT_MONEY_COLUMNS = (2, 3, 4, 5, 6)


def statements_table(*, cooperative: Cooperative, month: datetime.date, recipient_type: str | None = None) -> Table:
    """One row per recipient of the cooperative for `month`, with a totals row.

    Columns: kind, name, opening, earned, reversed, paid out, closing (fen). The figures are
    those of orders.accounting.statements.statement_for. Raises ValueError for an unknown recipient_type.
    """
    if recipient_type is not None and recipient_type not in PayoutRecipient.values:
        raise ValueError(
            f"Unknown recipient type {recipient_type!r}; "
            f"use one of {', '.join(PayoutRecipient.values)} or None for all."
        )
    month = month.replace(day=1)
    statements = statements_bulk(cooperative=cooperative, month=month)
    if recipient_type is not None:
        statements = {r: s for r, s in statements.items() if r.type == recipient_type}
    names = recipient_names(statements)
    ordered = sorted(
        statements,
        key=lambda r: (KIND_ORDER.index(r.type), names[r], r.village_id or 0, r.participant_id or 0, r.host_id or 0),
    )
    kinds = dict(PayoutRecipient.choices)
    rows: list[list[str | int]] = []
    for recipient in ordered:
        s = statements[recipient]
        rows.append([
            str(kinds[recipient.type]), names[recipient],
            s.opening_fen, s.earned_fen, s.reversed_fen, s.paid_out_fen, s.closing_fen,
        ])
    totals: list[str | int] = [_("Total"), ""] + [sum(row[c] for row in rows) for c in STATEMENT_MONEY_COLUMNS]
    return Table(
        title=_("%(cooperative)s — statements for %(month)s") % {"cooperative": cooperative, "month": f"{month:%Y-%m}"},
        headers=[
            _("Recipient type"), _("Name"), _("Opening balance"), _("Earned"), _("Reversed"), _("Paid out"),
            _("Closing balance"),
        ],
        rows=rows,
        totals=totals,
        money_columns=STATEMENT_MONEY_COLUMNS,
    )


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


def yuan(amount_fen: int) -> Decimal:
    """Exact yuan: 3326 → Decimal('33.26'); -5 → Decimal('-0.05')."""
    return Decimal(int(amount_fen)).scaleb(-2)


def _all_rows(table: Table) -> list[list[str | int]]:
    return table.rows + ([table.totals] if table.totals is not None else [])


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads the Chinese), money as yuan like 33.26."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    for row in _all_rows(table):
        writer.writerow([
            plain_yuan(cell) if c in table.money_columns and isinstance(cell, int) else cell
            for c, cell in enumerate(row)
        ])
    return buffer.getvalue().encode("utf-8-sig")


def _display_width(value) -> int:
    """Roughly how many Latin characters wide: a CJK character counts as two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(value))


# A fixed timestamp inside the file, so the same table always gives the same bytes.
_FIXED_MOMENT = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _normalised_zip(data: bytes) -> bytes:
    """The same zip with every member's timestamp fixed (openpyxl stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in '[]:*?/\\' else ch for ch in title).strip()
    return cleaned[:31] or "Sheet"


def to_xlsx(table: Table) -> bytes:
    """One sheet: bold frozen header row, money as numbers in yuan ('#,##0.00'), a bold totals row.

    Money cells hold Decimal(fen)/100, so summing them gives the total exactly to the fen.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(table.title)
    workbook.properties.title = table.title
    workbook.properties.creator = "Alliance Market"
    workbook.properties.created = workbook.properties.modified = _FIXED_MOMENT.replace(tzinfo=None)
    bold = Font(bold=True)
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
    for row in _all_rows(table):
        sheet.append([
            yuan(cell) if c in table.money_columns and isinstance(cell, int) else cell for c, cell in enumerate(row)
        ])
        for c in table.money_columns:
            sheet.cell(row=sheet.max_row, column=c + 1).number_format = "#,##0.00"
    if table.totals is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    sheet.freeze_panes = "A2"
    for c, header in enumerate(table.headers):
        texts = [header] + [
            format_fen(row[c], symbol="") if c in table.money_columns and isinstance(row[c], int) else row[c]
            for row in _all_rows(table)
        ]
        sheet.column_dimensions[get_column_letter(c + 1)].width = min(60, max(8, max(map(_display_width, texts)) + 2))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _normalised_zip(buffer.getvalue())


# PDF ------------------------------------------------------------------------------------------

DEFAULT_CJK_FONTS = {
    "regular": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "bold": "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
}


def _cjk_font_paths() -> tuple[Path, Path]:
    """The regular and bold CJK font files: settings.EXPORT_PDF_FONTS, else Noto Sans CJK.

    Raises ExportError when the regular face is missing; a missing bold face falls back to it.
    """
    configured = getattr(settings, "EXPORT_PDF_FONTS", None) or DEFAULT_CJK_FONTS
    regular = Path(configured.get("regular", ""))
    if not regular.is_file():
        raise ExportError(
            f"The PDF export needs a Chinese font and {regular} does not exist. Install Noto Sans CJK "
            "(apt-get install fonts-noto-cjk) or set settings.EXPORT_PDF_FONTS = "
            '{"regular": "/path/to/font.ttc|.otf|.ttf", "bold": "..."}.'
        )
    bold = Path(configured.get("bold", ""))
    return regular, bold if bold.is_file() else regular


@functools.lru_cache(maxsize=8)
def _simplified_chinese_face(path: str) -> int:
    """The index of the Simplified Chinese face ("… SC", not Mono) in a .ttc/.otc; 0 otherwise."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            name = font["name"].getDebugName(4) or ""
            if "SC" in name.split() and "Mono" not in name:
                return index
    finally:
        collection.close()
    raise ExportError(f"{path} has no Simplified Chinese (SC) face; point settings.EXPORT_PDF_FONTS at one that has.")


def _pdf_text(value, is_money: bool) -> str:
    if is_money and isinstance(value, int):
        return format_fen(value)
    return str(value)


def to_pdf(table: Table) -> bytes:
    """A4 landscape: the title, the table (headings repeated on each page, money right-aligned
    as ¥1,234.56, totals in bold) and "page n / N" at the foot, with the CJK font embedded
    (subset). Raises ExportError if the font is missing.
    """
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    regular, bold = _cjk_font_paths()
    page_label = _("Page")

    class _Document(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("cjk", size=8)
            self.cell(0, 8, f"{page_label} {self.page_no()} / {{nb}}", align="C")

    pdf = _Document(orientation="L", unit="mm", format="A4")
    pdf.set_creation_date(_FIXED_MOMENT)
    pdf.set_title(table.title)
    pdf.set_creator("Alliance Market")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(10, 10, 10)
    pdf.add_font("cjk", "", str(regular), collection_font_number=_simplified_chinese_face(str(regular)))
    pdf.add_font("cjk", "B", str(bold), collection_font_number=_simplified_chinese_face(str(bold)))
    pdf.add_page()
    pdf.set_font("cjk", "B", 14)
    pdf.multi_cell(0, 8, table.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    texts = [list(table.headers)] + [
        [_pdf_text(cell, c in table.money_columns) for c, cell in enumerate(row)] for row in _all_rows(table)
    ]
    widths = [max(6, min(40, max(_display_width(row[c]) for row in texts))) for c in range(len(table.headers))]
    alignment = tuple("RIGHT" if c in table.money_columns else "LEFT" for c in range(len(table.headers)))
    pdf.set_font("cjk", size=9)
    with pdf.table(
        col_widths=widths, width=pdf.epw, text_align=alignment, line_height=6, padding=(0.8, 1.5),
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)), repeat_headings=1,
    ) as pdf_table:
        heading = pdf_table.row()
        for header in table.headers:
            heading.cell(header, align="CENTER")
        for index, row in enumerate(texts[1:]):
            is_totals = table.totals is not None and index == len(texts) - 2
            pdf_row = pdf_table.row(style=FontFace(emphasis="BOLD") if is_totals else None)
            for cell in row:
                pdf_row.cell(cell)
    return bytes(pdf.output())
