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
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from orders.accounting.months import month_first, month_format
from orders.accounting.statements import statement_rows
from orders.models import PayoutRecipient
from shop.models import Cooperative
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


STATEMENT_MONEY_COLUMNS = (2, 3, 4, 5, 6)


def statements_table(*, cooperative: Cooperative, month: datetime.date, recipient_type: str | None = None) -> Table:
    """One row per recipient of the cooperative for `month`, with a totals row.

    Columns: kind, name, opening, earned, reversed, paid out, closing (fen): the rows of
    orders.accounting.statements.statement_rows. Raises ValueError for an unknown recipient_type.
    """
    month = month_first(month)
    kinds = dict(PayoutRecipient.choices)
    rows: list[list[str | int]] = [
        [
            str(kinds[row.recipient.type]), row.name, row.statement.opening_fen, row.statement.earned_fen,
            row.statement.reversed_fen, row.statement.paid_out_fen, row.statement.closing_fen,
        ]
        for row in statement_rows(cooperative=cooperative, month=month, recipient_type=recipient_type)
    ]
    totals: list[str | int] = [_("Total"), ""] + [sum(row[c] for row in rows) for c in STATEMENT_MONEY_COLUMNS]
    return Table(
        title=_("%(cooperative)s — statements for %(month)s") % {"cooperative": cooperative, "month": month_format(month)},
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
