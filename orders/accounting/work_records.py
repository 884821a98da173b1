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
These rules are checked in one place, work_record_problems, and each is worded once; the admin
form, the entry services and the import all call it. The import reads the file itself (csv,
openpyxl) and writes every row or none.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import DatabaseError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from openpyxl import load_workbook

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


# One message per rule. The admin form, the services and the import all report a broken rule
# with these words (the import may add which line of its file the other entry is on).


def closed_month_message(*, cooperative_name: str, month: datetime.date) -> str:
    return _(
        "The settlement of %(month)s for %(cooperative)s is closed; its work can no longer change. "
        "Record this work in a month that is still open."
    ) % {"month": f"{month:%Y-%m}", "cooperative": cooperative_name}


def measure_conflict_message(*, workshop_name: str, month: datetime.date, in_use: str) -> str:
    return _(
        "%(workshop)s already records %(month)s in %(measure)s; use the same unit for the whole "
        "month, since the close adds the quantities up."
    ) % {"workshop": workshop_name, "month": f"{month:%Y-%m}", "measure": WorkMeasure(in_use).label}


def duplicate_record_message(*, participant_name: str, month: datetime.date) -> str:
    return _(
        "%(participant)s already has work recorded for this product in %(month)s. "
        "Edit that record instead of adding another."
    ) % {"participant": participant_name, "month": f"{month:%Y-%m}"}


def foreign_product_message(*, product_title: str, cooperative_name: str, workshop_name: str) -> str:
    return _(
        "%(product)s is not sold by %(cooperative)s, the cooperative of %(workshop)s. "
        "Choose one of its products, or leave the product empty."
    ) % {"product": product_title, "cooperative": cooperative_name, "workshop": workshop_name}


def work_record_problems(
    *,
    participant: Participant,
    product: ProductPage | None,
    month: datetime.date,
    measure: str,
    record: WorkRecord | None = None,
    lock: bool = False,
) -> dict[str, str]:
    """The rules of this module, checked once for every way work is entered: what is wrong
    with recording this work (as a new record, or as `record` changed), by field name; empty
    when it may be written. Checks everything but the user's scope.

    With lock=True (inside a transaction) the settlement periods read are locked, so a close
    running at the same time cannot slip in between this check and the write.
    """
    problems: dict[str, str] = {}
    workshop = participant.workshop
    cooperative = workshop.cooperative
    if record is not None and record.pk is not None:
        was_cooperative = record.participant.workshop.cooperative
        if period_is_closed(cooperative_id=was_cooperative.pk, month=record.month, lock=lock):
            problems[NON_FIELD_ERRORS] = closed_month_message(cooperative_name=was_cooperative.name, month=record.month)
            return problems
    if product is not None and product.cooperative_id != cooperative.pk:
        problems["product"] = foreign_product_message(
            product_title=product.title, cooperative_name=cooperative.name, workshop_name=workshop.name
        )
    if period_is_closed(cooperative_id=cooperative.pk, month=month, lock=lock):
        problems["month"] = closed_month_message(cooperative_name=cooperative.name, month=month)
    exclude_pk = record.pk if record is not None else None
    same = WorkRecord.objects.filter(participant=participant, product=product, month=month)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        problems.setdefault(NON_FIELD_ERRORS, duplicate_record_message(participant_name=participant.name, month=month))
    in_use = measure_in_use(workshop_id=workshop.pk, month=month, exclude_pk=exclude_pk)
    if in_use and in_use != measure:
        problems["measure"] = measure_conflict_message(workshop_name=workshop.name, month=month, in_use=in_use)
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
        raise WorkRecordError(closed_month_message(cooperative_name=cooperative.name, month=stored.month))
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


def file_rows_read(*, file_bytes: bytes, file_name: str) -> list[tuple[int, dict[str, object]]]:
    """The file's rows of work: each row's line in the file and its cells by column key
    (COLUMNS; a column the file lacks is None).

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
    rows = [
        (line, {key: cells[positions[key]] if key in positions and positions[key] < len(cells) else None for key in COLUMNS})
        for line, cells in raw[1:]
    ]
    if not rows:
        raise FileProblem(_("The file has a header but no rows of work. Add one row per participant, product and month."))
    return rows


# --- import: checking and writing rows ------------------------------------------------------


class _Scope:
    """What one user's import may refer to, loaded once: their cooperatives' workshops,
    participants (ids and names only: their private fields are never read) and products."""

    def __init__(self, user: AbstractBaseUser):
        cooperative_ids = set(cooperatives_for_user(user=user).values_list("pk", flat=True))
        self.workshops: dict[str, Workshop] = {}
        by_id: dict[int, Workshop] = {}
        for workshop in Workshop.objects.filter(cooperative_id__in=cooperative_ids).select_related("cooperative"):
            self.workshops[workshop.slug.lower()] = self.workshops[workshop.name] = by_id[workshop.pk] = workshop
        self.participants: dict[tuple[int, str], list[Participant]] = defaultdict(list)
        participants = Participant.objects.filter(workshop__cooperative_id__in=cooperative_ids)
        for participant in participants.only("id", "name", "workshop_id"):
            participant.workshop = by_id[participant.workshop_id]
            self.participants[(participant.workshop_id, participant.name.strip())].append(participant)
        self.products: dict[tuple[int, str], list[ProductPage]] = defaultdict(list)
        products = ProductPage.objects.filter(cooperative_id__in=cooperative_ids)
        for product in products.only("id", "slug", "title", "cooperative_id"):
            self.products[(product.cooperative_id, product.slug.lower())].append(product)

    def workshop(self, value: object) -> Workshop:
        """A workshop of the user's cooperatives, by slug or full name. Raises ValueError."""
        text = _text(value)
        if not text:
            raise ValueError(_("Enter the workshop: its slug (e.g. changjie-sorting) or its full name."))
        workshop = self.workshops.get(text) or self.workshops.get(text.lower())
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

    def participant(self, workshop: Workshop, value: object) -> Participant:
        """The workshop's one participant of that name. Raises ValueError."""
        name = _text(value)
        matches = self.participants.get((workshop.pk, name), [])
        if not name:
            raise ValueError(_("Enter the participant's name as recorded for the workshop."))
        if not matches:
            raise ValueError(_(
                "%(workshop)s has no participant named “%(name)s”. Check the spelling, or add them "
                "under Producers → Participants first."
            ) % {"workshop": workshop.name, "name": name})
        if len(matches) > 1:
            raise ValueError(_(
                "%(workshop)s has %(count)s participants named “%(name)s”; record their work in the admin form instead."
            ) % {"workshop": workshop.name, "name": name, "count": len(matches)})
        return matches[0]

    def product(self, workshop: Workshop, value: object) -> ProductPage | None:
        """The product of the workshop's cooperative with that slug; None for an empty cell.
        Raises ValueError."""
        slug = _text(value)
        if not slug:
            return None
        found = self.products.get((workshop.cooperative_id, slug.lower()), [])
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(
                _("Several products have the slug “%(slug)s”; record this work in the admin form instead.") % {"slug": slug}
            )
        elsewhere = ProductPage.objects.filter(slug=slug).values_list("title", flat=True).first()
        if elsewhere is not None:
            raise ValueError(foreign_product_message(
                product_title=elsewhere, cooperative_name=workshop.cooperative.name, workshop_name=workshop.name
            ))
        raise ValueError(_(
            "There is no product with the slug “%(slug)s”. Use the slug from the product's web address, or leave it empty."
        ) % {"slug": slug})


@dataclass
class _Row:
    """A row of the file once every cell is read."""

    line: int
    workshop: Workshop
    participant: Participant
    product: ProductPage | None
    month: datetime.date
    quantity: int
    measure: str


def _row_read(line: int, cells: dict[str, object], scope: _Scope) -> tuple[_Row | None, dict[str, str]]:
    """The row's values, or None and what is wrong with its cells, by column key."""
    problems: dict[str, str] = {}
    values: dict[str, object] = {}
    readers = {"workshop": scope.workshop, "month": month_parse, "quantity": quantity_parse, "measure": measure_parse}
    for key, read in readers.items():
        try:
            values[key] = read(cells[key])
        except ValueError as error:
            problems[key] = str(error)
    workshop = values.get("workshop")
    if workshop is not None:
        for key, read in (("participant", scope.participant), ("product", scope.product)):
            try:
                values[key] = read(workshop, cells[key])
            except ValueError as error:
                problems[key] = str(error)
    if problems:
        return None, problems
    return _Row(line=line, **values), {}


class _Import:
    """Writes the rows of one file in order, each checked by work_record_problems against the
    database as the earlier rows left it; so a row that clashes with an earlier row of the file
    breaks the same rule, with the same message, as it would against a stored record."""

    def __init__(self) -> None:
        self.line_of_record: dict[int, int] = {}  # records written by this import → their line
        self.unit_line: dict[tuple[int, datetime.date], int] = {}  # (workshop, month) → first line written

    def write(self, row: _Row) -> tuple[int | None, dict[str, str]]:
        """Write the row; returns the quantity it replaced (None for a new record), or the
        row's problems by column key (nothing written)."""
        same = WorkRecord.objects.filter(participant=row.participant, product=row.product, month=row.month)
        existing = list(same.order_by("pk")[:2])
        earlier = [self.line_of_record[record.pk] for record in existing if record.pk in self.line_of_record]
        if earlier:
            return None, {NON_FIELD_ERRORS: " ".join((
                duplicate_record_message(participant_name=row.participant.name, month=row.month),
                _("This row repeats line %(first)s.") % {"first": earlier[0]},
            ))}
        if len(existing) > 1:
            return None, {NON_FIELD_ERRORS: _(
                "This participant already has several records for this product and month; merge them "
                "in the work records listing before importing."
            )}
        # An imported row replaces a stored record rather than duplicating it.
        record = existing[0] if existing else WorkRecord(product=row.product, month=row.month)
        record.participant = row.participant  # the same one, already loaded with its workshop
        problems = work_record_problems(
            participant=row.participant, product=row.product, month=row.month, measure=row.measure,
            record=record if record.pk else None, lock=True,
        )
        unit_line = self.unit_line.get((row.workshop.pk, row.month))
        if "measure" in problems and unit_line is not None:
            problems["measure"] += " " + _("Line %(first)s of the file sets that unit.") % {"first": unit_line}
        if problems:
            return None, problems
        previous = record.quantity if record.pk else None
        record.quantity, record.measure = row.quantity, row.measure
        try:
            with transaction.atomic():
                record.save()
        except DatabaseError as error:
            return None, {NON_FIELD_ERRORS: _("This row could not be saved (%(error)s).") % {"error": error}}
        self.line_of_record[record.pk] = row.line
        self.unit_line.setdefault((row.workshop.pk, row.month), row.line)
        return previous, {}


def _problems_of_row(line: int, problems: dict[str, str]) -> list[RowProblem]:
    return [
        RowProblem(line=line, column="" if key == NON_FIELD_ERRORS else COLUMN_LABELS.get(key, key), message=message)
        for key, message in problems.items()
    ]


def work_records_import(*, file_bytes: bytes, file_name: str, user: AbstractBaseUser, dry_run: bool = False) -> ImportResult:
    """Import work records from a CSV (UTF-8 with or without BOM, or GBK) or .xlsx file.

    All or nothing: every row is read (scope, participant, product, month, quantity, unit) and
    checked by the rules of work_record_problems, and if any row has a problem nothing is
    written and the result lists every problem by line. A row for a participant/product/month
    already recorded replaces its quantity; two rows for the same one are a problem. With
    dry_run=True nothing is written either way (a preview).
    Never raises for a bad file: its problems are in the result.
    """
    outcome = ImportResult(dry_run=dry_run)
    try:
        rows = file_rows_read(file_bytes=file_bytes, file_name=file_name)
    except FileProblem as problem:
        outcome.problems.append(RowProblem(line=0, column="", message=str(problem)))
        return outcome
    scope = _Scope(user)
    writer = _Import()
    with transaction.atomic():
        for line, cells in rows:
            row, problems = _row_read(line, cells, scope)
            if row is not None:
                previous, problems = writer.write(row)
            if problems:
                outcome.problems.extend(_problems_of_row(line, problems))
                continue
            outcome.rows.append(ImportedRow(
                line=line, workshop=row.workshop.name, participant=row.participant.name,
                product=row.product.title if row.product else "", month=row.month, quantity=row.quantity,
                measure=row.measure, previous_quantity=previous,
            ))
        if dry_run or not outcome.ok:
            transaction.set_rollback(True)
    outcome.imported = outcome.ok and not dry_run
    return outcome


def import_template_csv() -> bytes:
    """The import's header row as CSV, with a BOM so that Excel shows the Chinese headers."""
    return ("\ufeff" + ",".join(TEMPLATE_HEADERS) + "\r\n").encode("utf-8")
