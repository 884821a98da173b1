"""A cooperative accountant closes the month in the Wagtail admin and downloads its statements."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from orders.buying.payments import payment_confirm_card, payment_reconcile, payment_start
from orders.models import Accountant, PeriodStatus, SettlementPeriod
from shop.models import Cooperative
from tests.orders.helpers import place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def admin_page(browser, live_server, demo_loaded):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _paid(localstripe, *items):
    order = place(*items)
    payment_reconcile(payment=payment_confirm_card(payment=payment_start(order=order), payment_method_id=localstripe.payment_method()))
    return order


def test_accountant_reviews_closes_the_month_and_downloads_the_statements(admin_page, localstripe, django_user_model):
    # given 长街's accountant, and two paid orders of 长街蛭子 this month
    cooperative = Cooperative.objects.get(slug="changjie-qiangcun")
    user = django_user_model.objects.create_user("kuaiji", "kuaiji@example.com", PASSWORD)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    Accountant.objects.create(user=user).cooperatives.add(cooperative)
    order = _paid(localstripe, ("CJ-ZZ-500G", 2))
    _paid(localstripe, ("CJ-ZZ-1KG", 1))
    period = order.lines.get().allocations.first().period
    page = admin_page

    # when they log into the admin and open the workbench
    page.goto("/admin/login/")
    page.locator("input[name=username]").fill("kuaiji")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator('a[href="/admin/settlement/"]')).to_have_count(1)
    page.goto("/admin/settlement/")
    page.locator("[data-workbench-picker] select[name=cooperative]").select_option("changjie-qiangcun")
    page.locator("[data-workbench-picker] input[name=month]").fill(f"{period.month:%Y-%m}")
    page.locator("[data-workbench-picker] button[type=submit]").click()

    # then the month is open, with the villages' figures
    expect(page).to_have_url(re.compile(rf"/admin/settlement/changjie-qiangcun/{period.month:%Y-%m}/$"))
    expect(page.locator("[data-period-status]")).to_have_attribute("data-period-status", "open")
    expect(page.locator('[data-villages] [data-village="xiao"]')).to_contain_text("西岙村")
    expect(page.locator('svg[data-chart="village-income"] polyline')).to_have_count(4)

    # when they submit it for review, then close it after checking the distribution
    page.locator("[data-action=review]").click()
    expect(page.locator("[data-period-status]")).to_have_attribute("data-period-status", "in_review")
    page.locator("[data-action=close]").click()
    expect(page.locator("[data-preview-total]")).to_be_visible()
    page.locator("input[name=confirm]").check()
    page.locator("[data-action=confirm-close]").click()

    # then the month is closed
    expect(page.locator("[data-period-status]")).to_have_attribute("data-period-status", "closed")
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED and period.closed_by_id == user.pk

    # and the statements download as a spreadsheet naming the villages
    page.locator("[data-statements-link]").click()
    with page.expect_download() as download_info:
        page.locator("[data-export=xlsx]").click()
    download = download_info.value
    assert download.suggested_filename == f"statements-changjie-qiangcun-{period.month:%Y-%m}.xlsx"
    from openpyxl import load_workbook

    with open(download.path(), "rb") as file:
        sheet = load_workbook(io.BytesIO(file.read())).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert any(name and "西岙村" in name for name in names)
    assert SettlementPeriod.objects.get(pk=period.pk).status == PeriodStatus.CLOSED
