"""Participants' recorded work: entered in the admin or imported from CSV/XLSX, all rows or none,
and only for the workshops of the accountant's own cooperatives."""

import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders.accounting.work_records import (
    WorkRecordError,
    closed_month_message,
    duplicate_record_message,
    foreign_product_message,
    import_template_csv,
    measure_conflict_message,
    month_parse,
    work_record_create,
    work_record_delete,
    work_records_import,
)
from orders.accounting.work_records_admin import WorkRecordForm
from orders.models import Accountant, PeriodStatus, SettlementPeriod, WorkMeasure, WorkRecord
from shop.models import Cooperative, Participant, ProductPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """The assertions below read the English source messages; the shop itself speaks Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield

# Months far ahead of the demo's activity: no records, no settlement periods yet.
MAY = datetime.date(2031, 5, 1)
APRIL = datetime.date(2031, 4, 1)
HEADER = "工坊,村民,商品,月份,数量,单位\n"


@pytest.fixture
def changjie():
    return Cooperative.objects.get(slug="changjie-qiangcun")


@pytest.fixture
def longguan():
    return Cooperative.objects.get(slug="longguan-qiangcun")


def _accountant(django_user_model, username, *cooperatives):
    user = django_user_model.objects.create_user(username, password="pw-for-tests-only")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="orders", codename__endswith="_workrecord"),
    )
    accountant = Accountant.objects.create(user=user)
    accountant.cooperatives.add(*cooperatives)
    return user


@pytest.fixture
def accountant(django_user_model, changjie):
    return _accountant(django_user_model, "changjie-accountant", changjie)


@pytest.fixture
def other_accountant(django_user_model, longguan):
    return _accountant(django_user_model, "longguan-accountant", longguan)


def _csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode(encoding)


def _records(month=MAY):
    return WorkRecord.objects.filter(month=month)


def _person(workshop_slug, name):
    return Participant.objects.get(workshop__slug=workshop_slug, name=name)


# --- the import service --------------------------------------------------------------------------


def test_a_valid_csv_imports_every_row(accountant):
    data = _csv(
        "changjie-sorting,王秀英,changjie-zhizi,2031-05,120,件",
        "长街蛭子分拣共富工坊,陈阿梅,changjie-zhizi,2031-05,86,件",
        "changjie-sorting,林美华,,2031-05,40,",
    )
    result = work_records_import(file_bytes=data, file_name="work.csv", user=accountant)
    assert result.ok and result.imported, result.problems
    assert result.created == 3 and result.updated == 0
    recorded = {(r.participant.name, r.product.slug if r.product else None, r.quantity, r.measure) for r in _records()}
    assert recorded == {
        ("王秀英", "changjie-zhizi", 120, WorkMeasure.UNITS),
        ("陈阿梅", "changjie-zhizi", 86, WorkMeasure.UNITS),
        ("林美华", None, 40, WorkMeasure.UNITS),
    }


def test_one_bad_row_imports_nothing_and_names_its_line_and_reason(accountant):
    data = _csv(
        "changjie-sorting,王秀英,changjie-zhizi,2031-05,120,件",
        "changjie-sorting,陈阿梅,changjie-zhizi,2031-05,0,件",  # line 3
        "changjie-sorting,林美华,changjie-zhizi,2031-05,30,件",
    )
    result = work_records_import(file_bytes=data, file_name="work.csv", user=accountant)
    assert not result.imported and not _records().exists()
    assert [(p.line, p.column) for p in result.problems] == [(3, "数量 (quantity)")]
    assert "whole number of 1 or more" in result.problems[0].message


def test_every_bad_row_is_reported_with_what_to_fix(accountant):
    data = _csv(
        "no-such-workshop,王秀英,,2031-05,1,件",          # 2: unknown workshop
        "changjie-sorting,李春燕,,2031-05,1,件",          # 3: participant of another workshop
        "changjie-sorting,王秀英,,May 2031,1,件",         # 4: month malformed
        "changjie-sorting,王秀英,,2031-05,2.5,件",        # 5: not an integer
        "changjie-sorting,王秀英,longguan-gaoshan-cha,2031-05,1,件",  # 6: other cooperative's product
        "changjie-sorting,陈阿梅,,2031-05,3,件",          # 7: fine
        "changjie-sorting,陈阿梅,,2031-05,4,件",          # 8: repeats line 7
        "changjie-sorting,林美华,,2031-05,4,公斤",        # 9: unknown unit
        "changjie-sorting,张桂芳,,2031-05,4,小时",        # 10: another unit than line 7 in the month
    )
    result = work_records_import(file_bytes=data, file_name="work.csv", user=accountant)
    assert not result.imported and not _records().exists()
    problems = {p.line: p for p in result.problems}
    assert sorted(problems) == [2, 3, 4, 5, 6, 8, 9, 10]
    assert "no workshop “no-such-workshop”" in problems[2].message
    assert "has no participant named “李春燕”" in problems[3].message
    assert "not a month" in problems[4].message and "YYYY-MM" in problems[4].message
    assert "not a valid quantity" in problems[5].message
    assert "not sold by" in problems[6].message
    assert "repeats line 7" in problems[8].message
    assert "not a unit" in problems[9].message
    assert "Line 7" in problems[10].message
    assert [row.line for row in result.rows] == [7]  # the preview shows the good rows too


def test_a_month_whose_period_is_closed_is_refused(accountant, changjie):
    SettlementPeriod.objects.create(cooperative=changjie, month=APRIL, status=PeriodStatus.CLOSED)
    data = _csv("changjie-sorting,王秀英,,2031-05,5,件", "changjie-sorting,王秀英,,2031-04,5,件")
    result = work_records_import(file_bytes=data, file_name="work.csv", user=accountant)
    assert not result.imported and not WorkRecord.objects.filter(month__in=[APRIL, MAY]).exists()
    assert [(p.line, p.column) for p in result.problems] == [(3, "月份 (month)")]
    assert "2031-04" in result.problems[0].message and "closed" in result.problems[0].message


def test_a_period_in_review_still_takes_work(accountant, changjie):
    SettlementPeriod.objects.create(cooperative=changjie, month=MAY, status=PeriodStatus.IN_REVIEW)
    result = work_records_import(file_bytes=_csv("changjie-sorting,王秀英,,2031-05,5,件"), file_name="w.csv", user=accountant)
    assert result.imported


def test_gbk_csv_from_excel_imports(accountant):
    data = _csv("长街蛭子分拣共富工坊,王秀英,changjie-zhizi,2031/5,12,件", encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = work_records_import(file_bytes=data, file_name="劳动记录.csv", user=accountant)
    assert result.imported, result.problems
    assert _records().get().participant.name == "王秀英"


def test_utf8_csv_with_bom_and_english_headers_imports(accountant):
    data = ("\ufeffworkshop,participant,product,month,quantity,measure\r\n"
            "changjie-sorting,王秀英,,2031-05,8,hours\r\n").encode("utf-8")
    result = work_records_import(file_bytes=data, file_name="work.csv", user=accountant)
    assert result.imported, result.problems
    assert _records().get().measure == WorkMeasure.HOURS


def test_xlsx_imports_with_excel_dates_and_numbers(accountant):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工坊", "村民", "商品", "月份", "数量", "单位"])
    sheet.append(["changjie-sorting", "王秀英", "changjie-zhizi", datetime.datetime(2031, 5, 1), 30, "件"])
    sheet.append(["changjie-sorting", "陈阿梅", "changjie-zhizi", "2031-05", 12.0, "件"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = work_records_import(file_bytes=buffer.getvalue(), file_name="work.xlsx", user=accountant)
    assert result.imported, result.problems
    assert sorted(_records().values_list("quantity", flat=True)) == [12, 30]


def test_xlsx_problems_are_numbered_by_spreadsheet_row(accountant):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工坊", "村民", "商品", "月份", "数量", "单位"])
    sheet.append(["changjie-sorting", "王秀英", None, "2031-05", 30, "件"])
    sheet.append([None] * 6)  # a blank row is skipped but still counts as a line
    sheet.append(["changjie-sorting", "王秀英", None, datetime.datetime(2031, 5, 17), 30, "件"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = work_records_import(file_bytes=buffer.getvalue(), file_name="work.xlsx", user=accountant)
    assert [(p.line, p.column) for p in result.problems] == [(4, "月份 (month)")]
    assert not _records().exists()


def test_an_accountant_cannot_import_another_cooperatives_workshop(accountant):
    data = _csv("changjie-sorting,王秀英,,2031-05,5,件", "longguan-live,李春燕,,2031-05,5,件")
    result = work_records_import(file_bytes=data, file_name="work.csv", user=accountant)
    assert not result.imported and not _records().exists()
    assert [(p.line, p.column) for p in result.problems] == [(3, "工坊 (workshop)")]
    assert "accounts you do not keep" in result.problems[0].message


def test_importing_the_same_file_again_replaces_rather_than_adds(accountant):
    data = _csv("changjie-sorting,王秀英,changjie-zhizi,2031-05,120,件")
    work_records_import(file_bytes=data, file_name="work.csv", user=accountant)
    again = work_records_import(file_bytes=_csv("changjie-sorting,王秀英,changjie-zhizi,2031-05,90,件"), file_name="w.csv", user=accountant)
    assert again.imported and again.updated == 1 and again.rows[0].previous_quantity == 120
    assert list(_records().values_list("quantity", flat=True)) == [90]


def test_check_only_writes_nothing(accountant):
    result = work_records_import(file_bytes=_csv("changjie-sorting,王秀英,,2031-05,5,件"), file_name="w.csv", user=accountant, dry_run=True)
    assert result.ok and not result.imported and len(result.rows) == 1
    assert not _records().exists()


@pytest.mark.parametrize(
    ("data", "file_name", "expected"),
    [
        (b"", "work.csv", "empty"),
        ("村民,数量\n王秀英,3\n".encode(), "work.csv", "lacks 工坊 (workshop), 月份 (month)"),
        (HEADER.encode(), "work.csv", "no rows of work"),
        (b"PK\x03\x04 not really a workbook", "work.xlsx", "could not be opened"),
        (b"\xd0\xcf\x11\xe0", "work.xls", ".xls"),
    ],
)
def test_an_unreadable_file_is_one_problem_for_the_whole_file(accountant, data, file_name, expected):
    result = work_records_import(file_bytes=data, file_name=file_name, user=accountant)
    assert not result.imported and [p.line for p in result.problems] == [0]
    assert expected in result.problems[0].message


def test_the_template_opens_in_excel_with_chinese_headers():
    text = import_template_csv().decode("utf-8")
    assert text.startswith("\ufeff工坊,村民,商品,月份,数量,单位")


@pytest.mark.parametrize("text", ["2025-03", "2025-3", "2025/03", "2025年3月", "2025-03-01", "2025/3/1"])
def test_months_are_read_as_excel_users_write_them(text):
    assert month_parse(text) == datetime.date(2025, 3, 1)


@pytest.mark.parametrize("text", ["2025-13", "Mar-25", "202503", "2025-03-15", ""])
def test_malformed_months_are_refused(text):
    with pytest.raises(ValueError):
        month_parse(text)


# --- the entry services ----------------------------------------------------------------------------


def test_a_record_of_a_closed_month_can_be_neither_added_nor_deleted(accountant, changjie, superuser):
    worker = _person("changjie-sorting", "王秀英")
    record = WorkRecord.objects.create(participant=worker, month=APRIL, quantity=3)
    SettlementPeriod.objects.create(cooperative=changjie, month=APRIL, status=PeriodStatus.CLOSED)
    with pytest.raises(WorkRecordError, match="closed"):
        work_record_create(user=accountant, participant=worker, product=None, month=APRIL, quantity=1, measure=WorkMeasure.UNITS)
    with pytest.raises(WorkRecordError, match="closed"):
        work_record_delete(record=record, user=superuser)
    assert WorkRecord.objects.filter(pk=record.pk).exists()


def test_an_accountant_cannot_record_work_for_another_cooperative(other_accountant):
    with pytest.raises(WorkRecordError):
        work_record_create(
            user=other_accountant, participant=_person("changjie-sorting", "王秀英"), product=None,
            month=MAY, quantity=1, measure=WorkMeasure.UNITS,
        )


# --- the admin ---------------------------------------------------------------------------------------


def _index():
    return reverse("work_records:index")


def _import_url():
    return reverse("work_records:import")


def test_the_admin_pages_render_for_the_accountant(client, accountant):
    record = WorkRecord.objects.create(participant=_person("changjie-sorting", "王秀英"), month=MAY, quantity=7)
    client.force_login(accountant)
    for url in (
        _index(), reverse("work_records:add"), reverse("work_records:edit", args=[record.pk]),
        reverse("work_records:delete", args=[record.pk]), reverse("work_records:history", args=[record.pk]), _import_url(),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("wagtailadmin_home")).content.decode().count(_index()) >= 1  # the menu item


def test_the_listing_shows_only_the_accountants_cooperatives_and_no_private_fields(client, accountant, django_assert_max_num_queries):
    mine = _person("changjie-sorting", "王秀英")
    mine.phone, mine.id_number, mine.bank_account = "13900001111", "330226199001011234", "6222020202020202"
    mine.save()
    WorkRecord.objects.create(participant=mine, month=MAY, quantity=7)
    WorkRecord.objects.create(participant=_person("longguan-live", "李春燕"), month=MAY, quantity=9)
    client.force_login(accountant)
    with django_assert_max_num_queries(30):
        page = client.get(_index(), {"month": "2031-05"}).content.decode()
    assert "王秀英" in page and "李春燕" not in page
    for private in ("13900001111", "330226199001011234", "6222020202020202"):
        assert private not in page


def test_the_listing_filters_by_workshop_and_measure_and_searches_names(client, superuser):
    WorkRecord.objects.create(participant=_person("changjie-sorting", "王秀英"), month=MAY, quantity=7)
    WorkRecord.objects.create(participant=_person("longguan-live", "李春燕"), month=MAY, quantity=9, measure=WorkMeasure.HOURS)
    client.force_login(superuser)
    by_measure = client.get(_index(), {"month": "2031-05", "measure": "hours"}).content.decode()
    assert "李春燕" in by_measure and "王秀英" not in by_measure
    searched = client.get(_index(), {"month": "2031-05", "q": "王秀"}).content.decode()
    assert "王秀英" in searched and "李春燕" not in searched
    workshop = _person("changjie-sorting", "王秀英").workshop
    by_workshop = client.get(_index(), {"month": "2031-05", "workshop": workshop.pk}).content.decode()
    assert "王秀英" in by_workshop and "李春燕" not in by_workshop


def test_another_cooperatives_record_is_not_found(client, other_accountant):
    record = WorkRecord.objects.create(participant=_person("changjie-sorting", "王秀英"), month=MAY, quantity=7)
    client.force_login(other_accountant)
    for name in ("edit", "delete", "history", "usage"):
        assert client.get(reverse(f"work_records:{name}", args=[record.pk])).status_code == 404, name
    assert client.post(reverse("work_records:delete", args=[record.pk])).status_code == 404
    assert WorkRecord.objects.filter(pk=record.pk).exists()


def test_staff_without_a_cooperative_are_refused(client, django_user_model):
    user = django_user_model.objects.create_user("editor-no-coop", password="pw-for-tests-only")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="orders", codename__endswith="_workrecord"),
    )
    client.force_login(user)
    assert client.get(_index()).status_code in (302, 403)
    assert client.get(_import_url()).status_code in (302, 403)


def test_the_add_form_offers_only_the_accountants_participants_and_records_work(client, accountant):
    client.force_login(accountant)
    form_page = client.get(reverse("work_records:add")).content.decode()
    assert "王秀英" in form_page and "李春燕" not in form_page
    worker = _person("changjie-sorting", "陈阿梅")
    product = ProductPage.objects.get(slug="changjie-zhizi")
    response = client.post(reverse("work_records:add"), {
        "participant": worker.pk, "product": product.pk, "month": "2031-05", "quantity": "15", "measure": "units",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    record = _records().get()
    assert (record.participant, record.product_id, record.quantity) == (worker, product.pk, 15)


def test_the_add_form_refuses_another_cooperatives_participant_and_a_closed_month(client, accountant, changjie):
    SettlementPeriod.objects.create(cooperative=changjie, month=APRIL, status=PeriodStatus.CLOSED)
    client.force_login(accountant)
    foreign = client.post(reverse("work_records:add"), {
        "participant": _person("longguan-live", "李春燕").pk, "month": "2031-05", "quantity": "1", "measure": "units",
    })
    closed = client.post(reverse("work_records:add"), {
        "participant": _person("changjie-sorting", "王秀英").pk, "month": "2031-04", "quantity": "1", "measure": "units",
    })
    assert foreign.status_code == 200 and closed.status_code == 200
    assert "closed" in closed.content.decode()
    assert not WorkRecord.objects.filter(month__in=[APRIL, MAY]).exists()


def test_editing_a_record_changes_it_and_its_month_is_shown_as_yyyy_mm(client, accountant):
    record = WorkRecord.objects.create(participant=_person("changjie-sorting", "王秀英"), month=MAY, quantity=7)
    client.force_login(accountant)
    assert 'value="2031-05"' in client.get(reverse("work_records:edit", args=[record.pk])).content.decode()
    response = client.post(reverse("work_records:edit", args=[record.pk]), {
        "participant": record.participant_id, "month": "2031-05", "quantity": "11", "measure": "units",
    })
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.quantity == 11


def test_the_import_page_imports_an_uploaded_file(client, accountant):
    client.force_login(accountant)
    upload = SimpleUploadedFile("work.csv", _csv("changjie-sorting,王秀英,changjie-zhizi,2031-05,120,件"), content_type="text/csv")
    response = client.post(_import_url(), {"file": upload})
    assert response.status_code == 200
    assert response.context["result"].imported
    assert _records().get().quantity == 120


def test_the_import_page_lists_every_problem_and_writes_nothing(client, accountant):
    client.force_login(accountant)
    upload = SimpleUploadedFile("work.csv", _csv(
        "changjie-sorting,王秀英,,2031-05,120,件",
        "longguan-live,李春燕,,2031-05,5,件",
        "changjie-sorting,陈阿梅,,2031-13,5,件",
    ))
    response = client.post(_import_url(), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and not _records().exists()
    assert [p.line for p in response.context["result"].problems] == [3, 4]
    assert 'id="import-problems"' in page and "2031-13" in page


def test_the_import_page_can_only_check(client, accountant):
    client.force_login(accountant)
    upload = SimpleUploadedFile("work.csv", _csv("changjie-sorting,王秀英,,2031-05,120,件"))
    response = client.post(_import_url(), {"file": upload, "check_only": "on"})
    assert response.context["result"].ok and not response.context["result"].imported
    assert not _records().exists()


def test_the_template_downloads_as_csv(client, accountant):
    client.force_login(accountant)
    response = client.get(reverse("work_records:import_template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8").startswith("\ufeff工坊")


def test_a_closed_months_record_can_be_neither_edited_nor_deleted_in_the_admin(client, accountant, changjie):
    record = WorkRecord.objects.create(participant=_person("changjie-sorting", "王秀英"), month=APRIL, quantity=7)
    SettlementPeriod.objects.create(cooperative=changjie, month=APRIL, status=PeriodStatus.CLOSED)
    client.force_login(accountant)
    edited = client.post(reverse("work_records:edit", args=[record.pk]), {
        "participant": record.participant_id, "month": "2031-05", "quantity": "11", "measure": "units",
    })
    deleted = client.post(reverse("work_records:delete", args=[record.pk]))
    assert edited.status_code == 200 and "已结账" in edited.content.decode()  # the admin speaks Chinese
    assert deleted.status_code == 200 and "已结账" in deleted.content.decode()
    record.refresh_from_db()
    assert (record.month, record.quantity) == (APRIL, 7)


def test_an_open_months_record_can_be_deleted_in_the_admin(client, accountant):
    record = WorkRecord.objects.create(participant=_person("changjie-sorting", "王秀英"), month=MAY, quantity=7)
    client.force_login(accountant)
    assert client.post(reverse("work_records:delete", args=[record.pk])).status_code == 302
    assert not WorkRecord.objects.filter(pk=record.pk).exists()


def test_the_listing_does_not_query_once_per_record(client, accountant, django_assert_max_num_queries):
    product = ProductPage.objects.get(slug="changjie-zhizi")
    first, *others = Participant.objects.filter(workshop__slug="changjie-sorting")
    WorkRecord.objects.create(participant=first, product=product, month=MAY, quantity=3)
    client.force_login(accountant)
    client.get(_index(), {"month": "2031-05"})  # warm caches (content types, site settings)
    with django_assert_max_num_queries(40) as few:
        client.get(_index(), {"month": "2031-05"})
    for participant in others:
        WorkRecord.objects.create(participant=participant, product=product, month=MAY, quantity=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(_index(), {"month": "2031-05"}).content.decode()
    assert page.count("changjie-zhizi") == 0 and page.count("长街蛭子分拣共富工坊") >= 5


# --- one message per rule, wherever the work is entered ------------------------------------------
#
# Each rule is checked once (work_record_problems) and worded once; the admin form, the entry
# service and the import all show that wording. The import only adds which line of its own file
# the other entry is on, when it is there rather than in the database.


def _form_errors(user, **data) -> list[str]:
    fields = {"product": "", "quantity": "1", "measure": WorkMeasure.UNITS, **data}
    form = WorkRecordForm(data=fields, for_user=user)
    assert not form.is_valid()
    return [message for messages in form.errors.values() for message in messages]


def _service_error(user, **data) -> str:
    fields = {"product": None, "quantity": 1, "measure": WorkMeasure.UNITS, **data}
    with pytest.raises(WorkRecordError) as refused:
        work_record_create(user=user, **fields)
    return str(refused.value)


def _import_messages(user, *lines: str) -> list[str]:
    result = work_records_import(file_bytes=_csv(*lines), file_name="work.csv", user=user)
    assert not result.imported
    return [problem.message for problem in result.problems]


def test_a_closed_month_is_refused_in_the_same_words_by_form_service_and_import(accountant, changjie):
    SettlementPeriod.objects.create(cooperative=changjie, month=APRIL, status=PeriodStatus.CLOSED)
    worker = _person("changjie-sorting", "王秀英")
    expected = closed_month_message(cooperative_name=changjie.name, month=APRIL)

    assert _form_errors(accountant, participant=worker.pk, month="2031-04") == [expected]
    assert _service_error(accountant, participant=worker, month=APRIL) == expected
    assert _import_messages(accountant, "changjie-sorting,王秀英,,2031-04,1,件") == [expected]


def test_a_second_unit_in_a_workshops_month_is_refused_in_the_same_words_everywhere(accountant):
    WorkRecord.objects.create(participant=_person("changjie-sorting", "陈阿梅"), month=MAY, quantity=3, measure=WorkMeasure.UNITS)
    worker = _person("changjie-sorting", "王秀英")
    expected = measure_conflict_message(workshop_name=worker.workshop.name, month=MAY, in_use=WorkMeasure.UNITS)

    assert _form_errors(accountant, participant=worker.pk, month="2031-05", measure=WorkMeasure.HOURS) == [expected]
    assert _service_error(accountant, participant=worker, month=MAY, measure=WorkMeasure.HOURS) == expected
    assert _import_messages(accountant, "changjie-sorting,王秀英,,2031-05,1,小时") == [expected]
    # against an earlier row of the same file: the same words, and where that row is
    [in_file] = _import_messages(accountant, "changjie-sorting,林美华,,2031-06,1,件", "changjie-sorting,王秀英,,2031-06,1,小时")
    june = measure_conflict_message(workshop_name=worker.workshop.name, month=datetime.date(2031, 6, 1), in_use=WorkMeasure.UNITS)
    assert in_file == f"{june} Line 2 of the file sets that unit."


def test_a_second_record_of_the_same_work_is_refused_in_the_same_words_everywhere(accountant):
    worker = _person("changjie-sorting", "王秀英")
    WorkRecord.objects.create(participant=worker, month=MAY, quantity=3)
    expected = duplicate_record_message(participant_name="王秀英", month=MAY)

    assert _form_errors(accountant, participant=worker.pk, month="2031-05") == [expected]
    assert _service_error(accountant, participant=worker, month=MAY) == expected
    # an import replaces a stored record, so the same work twice is two rows of one file
    [repeated] = _import_messages(accountant, "changjie-sorting,王秀英,,2031-06,1,件", "changjie-sorting,王秀英,,2031-06,2,件")
    assert repeated == f"{duplicate_record_message(participant_name='王秀英', month=datetime.date(2031, 6, 1))} This row repeats line 2."


def test_another_cooperatives_product_is_refused_in_the_same_words_everywhere(superuser, changjie):
    worker = _person("changjie-sorting", "王秀英")
    tea = ProductPage.objects.get(slug="longguan-gaoshan-cha")
    expected = foreign_product_message(product_title=tea.title, cooperative_name=changjie.name, workshop_name=worker.workshop.name)

    assert _form_errors(superuser, participant=worker.pk, product=tea.pk, month="2031-05") == [expected]
    assert _service_error(superuser, participant=worker, product=tea, month=MAY) == expected
    assert _import_messages(superuser, "changjie-sorting,王秀英,longguan-gaoshan-cha,2031-05,1,件") == [expected]
