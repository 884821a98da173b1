"""Participants' recorded work: who may see it, the rules an entry must keep, and entering it
one record at a time or many at once from a CSV/XLSX file.

A work record says how much a participant worked (units made or hours) for a product in a
month; closing a settlement period shares each workshop's labour pool by these records, so:
- a record belongs to the cooperative of its participant's workshop, and only that
  cooperative's accountants (and platform admins) see or change it;
- its product, when named, is one the same cooperative sells;
- a month whose settlement period is closed is immutable: no record of it is added, changed,
  moved in or out, or deleted (the period row is locked while checking, so a concurrent close
  waits for us or we see it closed);
- one participant has at most one record per product and month (an import replaces it), and
  a workshop's month is measured in one unit, because the close adds the quantities up.
An import writes every row or none.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

import tablib
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field

from orders.accounting.scoping import cooperatives_for_user
from orders.models import PeriodStatus, SettlementPeriod, WorkMeasure, WorkRecord
from shop.models import Participant, ProductPage, Workshop

MAX_QUANTITY = 2_147_483_647  # what the column holds on every database

# The import's columns, as the template names them, and every header accepted for each.
COLUMNS: dict[str, tuple[str, ...]] = {
    "workshop": ("工坊", "workshop", "工坊名称"),
    "participant": ("村民", "participant", "姓名", "name"),
    "product": ("商品", "product", "商品slug", "slug"),
    "month": ("月份", "month"),
    "quantity": ("数量", "quantity", "工作量"),
    "measure": ("单位", "measure", "unit"),
}
TEMPLATE_HEADERS = [names[0] for names in COLUMNS.values()]
REQUIRED_COLUMNS = ("workshop", "participant", "month", "quantity")
COLUMN_LABELS = {key: f"{names[0]} ({names[1]})" for key, names in COLUMNS.items()}

MEASURE_WORDS = {
    WorkMeasure.UNITS: {"件", "个", "units", "unit", "pcs"},
    WorkMeasure.HOURS: {"小时", "时", "工时", "hours", "hour", "h"},
}
MEASURE_SHORT = {WorkMeasure.UNITS: "件", WorkMeasure.HOURS: "小时"}

MONTH_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月|[-/.]\s*0?1\s*日?)?$")


class WorkRecordError(Exception):
    """The record cannot be written as asked; the message says what to change."""


# --- selectors ------------------------------------------------------------------------------


def work_records_for_user(*, user: AbstractBaseUser) -> QuerySet[WorkRecord]:
    """The work records of the workshops of the user's cooperatives, with what a listing shows."""
    return WorkRecord.objects.filter(
        participant__workshop__cooperative__in=cooperatives_for_user(user=user)
    ).select_related("participant__workshop__cooperative", "product")


def workshops_for_user(*, user: AbstractBaseUser) -> QuerySet[Workshop]:
    return Workshop.objects.filter(cooperative__in=cooperatives_for_user(user=user)).order_by("name")


def participants_for_user(*, user: AbstractBaseUser) -> QuerySet[Participant]:
    """Participants whose work the user may record. Names and workshops only are needed here:
    their private fields are never read into these screens."""
    return (
        Participant.objects.filter(workshop__cooperative__in=cooperatives_for_user(user=user))
        .select_related("workshop")
        .only("id", "name", "is_active", "workshop__id", "workshop__name", "workshop__cooperative_id")
        .order_by("workshop__name", "name", "pk")
    )


def products_for_user(*, user: AbstractBaseUser) -> QuerySet[ProductPage]:
    return ProductPage.objects.filter(cooperative__in=cooperatives_for_user(user=user)).order_by("title")


def work_record_label(record: WorkRecord) -> str:
    """How a record is named in messages and titles: 王秀英 · 2025-03 · 12 件."""
    return f"{record.participant.name} · {record.month:%Y-%m} · {record.quantity} {MEASURE_SHORT.get(record.measure, record.measure)}"


# --- rules ----------------------------------------------------------------------------------


def month_parse(value: object) -> datetime.date:
    """The first day of the month written as YYYY-MM (also 2025/3, 2025年3月, or a date on the
    1st, which is what Excel makes of a typed 2025-03). Raises ValueError saying how to write it."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        if value.day != 1:
            raise ValueError(_("Write the month as YYYY-MM (e.g. 2025-03), not a full date."))
        return value
    text = _text(value)
    if not text:
        raise ValueError(_("Enter the month as YYYY-MM, e.g. 2025-03."))
    match = MONTH_PATTERN.match(text)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise ValueError(
            _("“%(value)s” is not a month. Write it as YYYY-MM, e.g. 2025-03 (in Excel, format the column as text).")
            % {"value": text}
        )
    return datetime.date(int(match[1]), int(match[2]), 1)


def quantity_parse(value: object) -> int:
    """A whole number from 1 up. Raises ValueError saying what to enter."""
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = _text(value)
        if re.fullmatch(r"-?\d+(\.0+)?", text):
            number = int(text.split(".")[0])
    if number is None or number < 1 or number > MAX_QUANTITY:
        return_text = _text(value) or _("(empty)")
        raise ValueError(
            _("“%(value)s” is not a valid quantity. Enter a whole number of 1 or more, e.g. 12.") % {"value": return_text}
        )
    return number


def measure_parse(value: object) -> str:
    """件/units or 小时/hours; empty means units. Raises ValueError naming the accepted words."""
    text = _text(value).lower()
    if not text:
        return WorkMeasure.UNITS
    for measure, words in MEASURE_WORDS.items():
        if text in words or text == str(measure.label).lower():
            return measure
    raise ValueError(_("“%(value)s” is not a unit. Write 件 (units) or 小时 (hours).") % {"value": _text(value)})


def period_is_closed(*, cooperative_id: int, month: datetime.date, lock: bool = False) -> bool:
    """Whether the cooperative's settlement period for the month is closed.

    With lock=True (inside a transaction) the period row is locked, so a close running at the
    same time either finishes first (and we see it closed) or waits until we commit.
    """
    periods = SettlementPeriod.objects.filter(cooperative_id=cooperative_id, month=month)
    if lock:
        periods = periods.select_for_update()
    return any(status == PeriodStatus.CLOSED for status in periods.values_list("status", flat=True))


def measure_in_use(*, workshop_id: int, month: datetime.date, exclude_pk: int | None = None) -> str | None:
    """The measure the workshop's other records for the month use, if any."""
    others = WorkRecord.objects.filter(participant__workshop_id=workshop_id, month=month)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.values_list("measure", flat=True).first()


def _closed_message(*, cooperative_name: str, month: datetime.date) -> str:
    return _(
        "The settlement of %(month)s for %(cooperative)s is closed; its work can no longer change. "
        "Record this work in a month that is still open."
    ) % {"month": f"{month:%Y-%m}", "cooperative": cooperative_name}


def _measure_message(*, workshop_name: str, month: datetime.date, in_use: str) -> str:
    return _(
        "%(workshop)s already records %(month)s in %(measure)s; use the same unit for the whole "
        "month, since the close adds the quantities up."
    ) % {"workshop": workshop_name, "month": f"{month:%Y-%m}", "measure": WorkMeasure(in_use).label}


def work_record_problems(
    *,
    participant: Participant,
    product: ProductPage | None,
    month: datetime.date,
    measure: str,
    record: WorkRecord | None = None,
    lock: bool = False,
) -> dict[str, str]:
    """What is wrong with recording this work (as a new record, or as `record` changed), by
    field name; empty when it may be written. Checks everything but the user's scope."""
    problems: dict[str, str] = {}
    workshop = participant.workshop
    cooperative = workshop.cooperative
    if record is not None and record.pk is not None:
        was_cooperative = record.participant.workshop.cooperative
        if period_is_closed(cooperative_id=was_cooperative.pk, month=record.month, lock=lock):
            problems[NON_FIELD_ERRORS] = _closed_message(cooperative_name=was_cooperative.name, month=record.month)
            return problems
    if product is not None and product.cooperative_id != cooperative.pk:
        problems["product"] = _(
            "%(product)s is not sold by %(cooperative)s, the cooperative of %(workshop)s. "
            "Choose one of its products, or leave the product empty."
        ) % {"product": product.title, "cooperative": cooperative.name, "workshop": workshop.name}
    if period_is_closed(cooperative_id=cooperative.pk, month=month, lock=lock):
        problems["month"] = _closed_message(cooperative_name=cooperative.name, month=month)
    exclude_pk = record.pk if record is not None else None
    same = WorkRecord.objects.filter(participant=participant, product=product, month=month)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        problems.setdefault(NON_FIELD_ERRORS, _(
            "%(participant)s already has work recorded for this product in %(month)s. "
            "Edit that record instead of adding another."
        ) % {"participant": participant.name, "month": f"{month:%Y-%m}"})
    in_use = measure_in_use(workshop_id=workshop.pk, month=month, exclude_pk=exclude_pk)
    if in_use and in_use != measure:
        problems["measure"] = _measure_message(workshop_name=workshop.name, month=month, in_use=in_use)
    return problems


# --- services -------------------------------------------------------------------------------


def _check_scope(*, user: AbstractBaseUser, participant: Participant) -> None:
    if not cooperatives_for_user(user=user).filter(pk=participant.workshop.cooperative_id).exists():
        raise WorkRecordError(_("You do not keep the accounts of %(workshop)s.") % {"workshop": participant.workshop.name})


def _raise_problems(problems: dict[str, str]) -> None:
    if problems:
        raise WorkRecordError(" ".join(problems.values()))


@transaction.atomic
def work_record_create(
    *,
    user: AbstractBaseUser,
    participant: Participant,
    product: ProductPage | None,
    month: datetime.date,
    quantity: int,
    measure: str,
) -> WorkRecord:
    """Record a participant's work. Raises WorkRecordError (nothing written) when it is outside
    the user's cooperatives or breaks a rule of this module."""
    _check_scope(user=user, participant=participant)
    _raise_problems(work_record_problems(participant=participant, product=product, month=month, measure=measure, lock=True))
    return WorkRecord.objects.create(participant=participant, product=product, month=month, quantity=quantity, measure=measure)


@transaction.atomic
def work_record_update(
    *,
    record: WorkRecord,
    user: AbstractBaseUser,
    participant: Participant,
    product: ProductPage | None,
    month: datetime.date,
    quantity: int,
    measure: str,
) -> WorkRecord:
    """Change a record. Raises WorkRecordError (nothing written) when either its old or its new
    month is closed, when either side is outside the user's cooperatives, or on a broken rule."""
    stored = WorkRecord.objects.select_related("participant__workshop__cooperative").get(pk=record.pk)
    _check_scope(user=user, participant=stored.participant)
    _check_scope(user=user, participant=participant)
    _raise_problems(
        work_record_problems(participant=participant, product=product, month=month, measure=measure, record=stored, lock=True)
    )
    record.participant, record.product, record.month = participant, product, month
    record.quantity, record.measure = quantity, measure
    record.save(update_fields=["participant", "product", "month", "quantity", "measure"])
    return record


@transaction.atomic
def work_record_delete(*, record: WorkRecord, user: AbstractBaseUser) -> None:
    """Delete a record of an open month. Raises WorkRecordError when its month is closed."""
    stored = WorkRecord.objects.select_related("participant__workshop__cooperative").get(pk=record.pk)
    _check_scope(user=user, participant=stored.participant)
    cooperative = stored.participant.workshop.cooperative
    if period_is_closed(cooperative_id=cooperative.pk, month=stored.month, lock=True):
        raise WorkRecordError(_closed_message(cooperative_name=cooperative.name, month=stored.month))
    stored.delete()


# --- import: reading the file ---------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One thing to fix in the file: its line (as the spreadsheet numbers it; 0 for the whole
    file), the column when it is about one, and what to do."""

    line: int
    column: str
    message: str


@dataclass(frozen=True)
class ImportedRow:
    line: int
    workshop: str
    participant: str
    product: str
    month: datetime.date
    quantity: int
    measure: str
    previous_quantity: int | None  # None for a new record; the replaced quantity otherwise

    @property
    def measure_label(self) -> str:
        return MEASURE_SHORT.get(self.measure, self.measure)


@dataclass
class ImportResult:
    """What an import did. `imported` is True only when every row was written; with any
    problem nothing was, and `problems` lists every one of them by line."""

    rows: list[ImportedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    imported: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def created(self) -> int:
        return sum(1 for row in self.rows if row.previous_quantity is None)

    @property
    def updated(self) -> int:
        return len(self.rows) - self.created

    @property
    def problem_lines(self) -> list[tuple[int, list[RowProblem]]]:
        by_line: dict[int, list[RowProblem]] = defaultdict(list)
        for problem in self.problems:
            by_line[problem.line].append(problem)
        return sorted(by_line.items())


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says what to do."""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\ufeff", "").strip()


def _decode(file_bytes: bytes) -> str:
    # Excel in China saves "CSV" as GBK; "CSV UTF-8" (with a BOM) and other tools as UTF-8.
    # Valid GBK text is almost never valid UTF-8, so trying UTF-8 first is safe.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return file_bytes.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(_("The file is not UTF-8 or GBK text. Save it from Excel as “CSV UTF-8” or as .xlsx."))


def _csv_rows(file_bytes: bytes) -> list[tuple[int, list[object]]]:
    text = _decode(file_bytes)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;，", key=first_line.count) if first_line else ","
    if delimiter == "，":  # a full-width comma would not be a CSV file at all
        raise FileProblem(_("The columns are separated by full-width commas (，). Use ordinary commas, or save as .xlsx."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    line = 1
    try:
        for record in reader:
            rows.append((line, list(record)))
            line = reader.line_num + 1  # a quoted cell may span lines: number by where a row starts
    except csv.Error as error:
        raise FileProblem(_("Line %(line)s of the file is not valid CSV (%(error)s).") % {"line": line, "error": error})
    return rows


def _xlsx_rows(file_bytes: bytes) -> list[tuple[int, list[object]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(file_bytes), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileProblem(_("The file could not be opened as an Excel workbook. Save it as .xlsx (or CSV) and try again."))
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong sheet size; read every row there is
        return [(line, list(values)) for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def _header_key(cell: object) -> str | None:
    text = _text(cell).lower()
    candidates = {text, *re.split(r"[/()（）\s]+", text)}
    for key, names in COLUMNS.items():
        if candidates & {name.lower() for name in names}:
            return key
    return None


def dataset_read(*, file_bytes: bytes, file_name: str) -> tuple[tablib.Dataset, list[int]]:
    """The file's rows as a dataset with our column names, and each row's line in the file.

    Blank rows are skipped; the first row with any text is the header. Raises FileProblem.
    """
    if not file_bytes:
        raise FileProblem(_("The file is empty. Download the template, fill it in and upload it again."))
    name = file_name.lower()
    if file_bytes[:2] == b"PK" or name.endswith(".xlsx"):
        raw = _xlsx_rows(file_bytes)
    elif name.endswith(".xls"):
        raise FileProblem(_("Old .xls workbooks cannot be read. In Excel, save the file as .xlsx or as CSV."))
    else:
        raw = _csv_rows(file_bytes)
    raw = [(line, cells) for line, cells in raw if any(_text(cell) for cell in cells)]
    if not raw:
        raise FileProblem(_("The file has no rows. Download the template, fill it in and upload it again."))
    header_line, header = raw[0]
    positions: dict[str, int] = {}
    for position, cell in enumerate(header):
        key = _header_key(cell)
        if key is None:
            continue
        if key in positions:
            raise FileProblem(_("The column %(column)s appears twice in the first row. Keep one.") % {"column": COLUMN_LABELS[key]})
        positions[key] = position
    missing = [COLUMN_LABELS[key] for key in REQUIRED_COLUMNS if key not in positions]
    if missing:
        raise FileProblem(
            _("Line %(line)s must name the columns %(expected)s; it lacks %(missing)s.")
            % {"line": header_line, "expected": ", ".join(TEMPLATE_HEADERS), "missing": ", ".join(missing)}
        )
    dataset = tablib.Dataset(headers=list(COLUMNS))
    lines = []
    for line, cells in raw[1:]:
        dataset.append([cells[positions[key]] if key in positions and positions[key] < len(cells) else None for key in COLUMNS])
        lines.append(line)
    if not lines:
        raise FileProblem(_("The file has a header but no rows of work. Add one row per participant, product and month."))
    return dataset, lines


# --- import: checking and writing rows ------------------------------------------------------


class _Scope:
    """What one user's import may refer to, loaded once: their cooperatives' workshops,
    participants (ids and names only) and products."""

    def __init__(self, user: AbstractBaseUser):
        cooperative_ids = set(cooperatives_for_user(user=user).values_list("pk", flat=True))
        self.workshops: dict[str, Workshop] = {}
        for workshop in Workshop.objects.filter(cooperative_id__in=cooperative_ids).select_related("cooperative"):
            self.workshops[workshop.slug.lower()] = workshop
            self.workshops[workshop.name] = workshop
        self.participants: dict[tuple[int, str], list[int]] = defaultdict(list)
        for pk, workshop_id, name in Participant.objects.filter(workshop__cooperative_id__in=cooperative_ids).values_list(
            "pk", "workshop_id", "name"
        ):
            self.participants[(workshop_id, name.strip())].append(pk)
        self.products: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
        for pk, slug, title, cooperative_id in ProductPage.objects.filter(cooperative_id__in=cooperative_ids).values_list(
            "pk", "slug", "title", "cooperative_id"
        ):
            self.products[(cooperative_id, slug.lower())].append((pk, title))


class WorkshopWidget(widgets.Widget):
    """A workshop of the user's cooperatives, by slug or full name."""

    def clean(self, value, row=None, scope: _Scope | None = None, **kwargs) -> Workshop:
        text = _text(value)
        if not text:
            raise ValueError(_("Enter the workshop: its slug (e.g. changjie-sorting) or its full name."))
        workshop = scope.workshops.get(text) or scope.workshops.get(text.lower())
        if workshop is not None:
            return workshop
        if Workshop.objects.filter(Q(slug__iexact=text) | Q(name=text)).exists():
            raise ValueError(
                _("%(workshop)s works for a cooperative whose accounts you do not keep; remove this row.") % {"workshop": text}
            )
        raise ValueError(
            _("There is no workshop “%(workshop)s”. Use a workshop's slug or full name as listed under Producers → Workshops.")
            % {"workshop": text}
        )


class MonthWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> datetime.date:
        return month_parse(value)


class QuantityWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs) -> int:
        return quantity_parse(value)


class MeasureWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> str:
        return measure_parse(value)


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs) -> str:
        return _text(value)


@dataclass
class _Row:
    """A row once read: the values that parsed and the problems found, by column."""

    line: int
    values: dict[str, object] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    previous_quantity: int | None = None


class WorkRecordResource(resources.ModelResource):
    """Rows of work for django-import-export: each column parsed by its widget, then the row
    checked against the user's scope, the other rows of the file and the database.

    A row naming a participant/product/month that is already recorded replaces that record's
    quantity (so importing a corrected file twice does not count the work twice).
    """

    workshop = Field(attribute="workshop", column_name="workshop", widget=WorkshopWidget())
    participant = Field(attribute="participant", column_name="participant", widget=TextWidget())
    product = Field(attribute="product", column_name="product", widget=TextWidget())
    month = Field(attribute="month", column_name="month", widget=MonthWidget())
    quantity = Field(attribute="quantity", column_name="quantity", widget=QuantityWidget())
    measure = Field(attribute="measure", column_name="measure", widget=MeasureWidget())

    class Meta:
        model = WorkRecord
        fields = tuple(COLUMNS)
        import_id_fields: tuple[str, ...] = ()
        skip_diff = True
        store_instance = True
        use_transactions = True
        clean_model_instances = False

    def __init__(self, *, scope: _Scope, lines: list[int]):
        super().__init__()
        self.scope = scope
        self.lines = lines
        self.rows: dict[int, _Row] = {}
        self._first_line_of_key: dict[tuple, int] = {}
        self._file_measure: dict[tuple[int, datetime.date], tuple[str, int]] = {}
        self._closed: dict[tuple[int, datetime.date], bool] = {}
        self._current: _Row | None = None

    def _check_import_id_fields(self, headers):
        """Records are matched by participant, product and month (see get_instance)."""

    # Each row: parse (before_import_row), find the record it replaces (get_instance), then
    # check against the database and fill the instance (import_instance).

    def before_import_row(self, row, row_number=None, **kwargs):
        current = _Row(line=self.lines[row_number - 1])
        for key in COLUMNS:
            try:
                current.values[key] = self.fields[key].clean(row, scope=self.scope)
            except ValueError as error:
                current.problems[key] = str(error)
        self._resolve(current)
        self._current = self.rows[row_number] = current

    def _resolve(self, current: _Row) -> None:
        values, problems = current.values, current.problems
        workshop: Workshop | None = values.get("workshop")
        if workshop is None:
            return
        name = values.get("participant") or ""
        matches = self.scope.participants.get((workshop.pk, name), [])
        if not name:
            problems["participant"] = _("Enter the participant's name as recorded for the workshop.")
        elif not matches:
            problems["participant"] = _(
                "%(workshop)s has no participant named “%(name)s”. Check the spelling, or add them "
                "under Producers → Participants first."
            ) % {"workshop": workshop.name, "name": name}
        elif len(matches) > 1:
            problems["participant"] = _(
                "%(workshop)s has %(count)s participants named “%(name)s”; record their work in the admin form instead."
            ) % {"workshop": workshop.name, "name": name, "count": len(matches)}
        else:
            values["participant_id"] = matches[0]
        slug = values.get("product") or ""
        values["product_id"], values["product_title"] = None, ""
        if slug:
            found = self.scope.products.get((workshop.cooperative_id, slug.lower()), [])
            if len(found) == 1:
                values["product_id"], values["product_title"] = found[0]
            elif len(found) > 1:
                problems["product"] = _("Several products have the slug “%(slug)s”; record this work in the admin form instead.") % {"slug": slug}
            elif ProductPage.objects.filter(slug=slug).exists():
                problems["product"] = _(
                    "“%(slug)s” is not sold by %(cooperative)s, the cooperative of %(workshop)s. "
                    "Use one of its products, or leave the product empty."
                ) % {"slug": slug, "cooperative": workshop.cooperative.name, "workshop": workshop.name}
            else:
                problems["product"] = _(
                    "There is no product with the slug “%(slug)s”. Use the slug from the product's web address, or leave it empty."
                ) % {"slug": slug}
        month = values.get("month")
        if month is None:
            return
        key = (values.get("participant_id"), values["product_id"], month)
        if "participant" not in problems and "product" not in problems:
            first = self._first_line_of_key.setdefault(key, current.line)
            if first != current.line:
                problems[NON_FIELD_ERRORS] = _(
                    "This row repeats line %(first)s (same participant, product and month). "
                    "Add the two quantities up in one row and delete the other."
                ) % {"first": first}
        closed_key = (workshop.cooperative_id, month)
        if closed_key not in self._closed:
            self._closed[closed_key] = period_is_closed(cooperative_id=workshop.cooperative_id, month=month, lock=True)
        if self._closed[closed_key]:
            problems["month"] = _closed_message(cooperative_name=workshop.cooperative.name, month=month)
        measure = values.get("measure")
        if measure is not None:
            # Only a row without problems sets the month's unit, so the message points at a good row.
            seen_measure, seen_line = self._file_measure.get((workshop.pk, month), (measure, current.line))
            if seen_measure == measure and not problems:
                self._file_measure.setdefault((workshop.pk, month), (measure, current.line))
            if seen_measure != measure:
                problems["measure"] = _(
                    "Line %(first)s records %(workshop)s's %(month)s in %(measure)s; use the same unit for the "
                    "whole month, since the close adds the quantities up."
                ) % {"first": seen_line, "workshop": workshop.name, "month": f"{month:%Y-%m}", "measure": WorkMeasure(seen_measure).label}

    def get_instance(self, instance_loader, row):
        current = self._current
        if current.problems or "participant_id" not in current.values:
            return None
        values = current.values
        existing = list(
            WorkRecord.objects.filter(participant_id=values["participant_id"], product_id=values["product_id"], month=values["month"])
            .order_by("pk")[:2]
        )
        if len(existing) > 1:
            current.problems[NON_FIELD_ERRORS] = _(
                "This participant already has several records for this product and month; merge them "
                "in the work records listing before importing."
            )
            return None
        return existing[0] if existing else None

    def import_instance(self, instance, row, **kwargs):
        current = self._current
        values = current.values
        if not current.problems:
            workshop = values["workshop"]
            in_use = measure_in_use(workshop_id=workshop.pk, month=values["month"], exclude_pk=instance.pk)
            if in_use and in_use != values["measure"]:
                current.problems["measure"] = _measure_message(workshop_name=workshop.name, month=values["month"], in_use=in_use)
        if current.problems:
            raise ValidationError({key: [message] for key, message in current.problems.items()})
        current.previous_quantity = instance.quantity if instance.pk else None
        instance.participant_id = values["participant_id"]
        instance.product_id = values["product_id"]
        instance.month = values["month"]
        instance.quantity = values["quantity"]
        instance.measure = values["measure"]


def _result_from(resource: WorkRecordResource, result, lines: list[int]) -> ImportResult:
    outcome = ImportResult()
    for error in result.base_errors:
        outcome.problems.append(RowProblem(line=0, column="", message=str(error.error)))
    for invalid in result.invalid_rows:
        line = lines[invalid.number - 1]
        for key, messages in invalid.error_dict.items():
            column = "" if key == NON_FIELD_ERRORS else COLUMN_LABELS.get(key, key)
            outcome.problems.extend(RowProblem(line=line, column=column, message=message) for message in messages)
    for error_row in result.error_rows:
        for error in error_row.errors:
            outcome.problems.append(
                RowProblem(line=lines[error_row.number - 1], column="", message=_("This row could not be saved (%(error)s).") % {"error": error.error})
            )
    outcome.problems.sort(key=lambda problem: problem.line)
    for number, row in sorted(resource.rows.items()):
        if row.problems or "participant_id" not in row.values:
            continue
        values = row.values
        outcome.rows.append(
            ImportedRow(
                line=row.line,
                workshop=values["workshop"].name,
                participant=values["participant"],
                product=values["product_title"],
                month=values["month"],
                quantity=values["quantity"],
                measure=values["measure"],
                previous_quantity=row.previous_quantity,
            )
        )
    return outcome


def work_records_import(*, file_bytes: bytes, file_name: str, user: AbstractBaseUser, dry_run: bool = False) -> ImportResult:
    """Import work records from a CSV (UTF-8 with or without BOM, or GBK) or .xlsx file.

    All or nothing: every row is checked (scope, participant, product, month, quantity, unit,
    closed periods, repeated rows) and, if any row has a problem, nothing is written and the
    result lists every problem by line. A row for a participant/product/month already recorded
    replaces its quantity. With dry_run=True nothing is written either way (a preview).
    Never raises for a bad file: its problems are in the result.
    """
    try:
        dataset, lines = dataset_read(file_bytes=file_bytes, file_name=file_name)
    except FileProblem as problem:
        return ImportResult(problems=[RowProblem(line=0, column="", message=str(problem))], dry_run=dry_run)
    resource = WorkRecordResource(scope=_Scope(user), lines=lines)
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        outcome = _result_from(resource, result, lines)
        if dry_run or not outcome.ok:
            transaction.set_rollback(True)
    outcome.dry_run = dry_run
    outcome.imported = outcome.ok and not dry_run
    return outcome


def import_template_csv() -> bytes:
    """The import's header row as CSV, with a BOM so that Excel shows the Chinese headers."""
    return ("\ufeff" + ",".join(TEMPLATE_HEADERS) + "\r\n").encode("utf-8")
