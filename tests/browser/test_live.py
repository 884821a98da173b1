"""A host pins razor clams on air; a viewer on a phone sees the card, buys and pays in the room.

pytest-django's live_server speaks HTTP only, so the whole ASGI application (HTTP and
WebSockets) runs here in a daphne process forked from the test, on the same test database.
"""

import datetime
import re
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connections
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from livestream.models import Host, LiveSession, SessionProduct
from orders.models import Order, OrderLine, OrderStatus
from shop.inventory import stock_receive
from shop.models import ProductPage
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _asgi_application():
    # Module level, so the forked server process can build it.
    from channels.routing import get_default_application

    return ASGIStaticFilesHandler(get_default_application())


@pytest.fixture
def asgi_server(settings, demo_loaded, localstripe):
    """The site over daphne (HTTP + WebSocket), started after the test's settings are in place."""
    from daphne.testing import DaphneProcess

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1", "localhost"]
    # The forked process must open its own database connections.
    connections.close_all()
    process = DaphneProcess("127.0.0.1", partial(_asgi_application))
    process.start()
    if not process.ready.wait(timeout=30):
        process.terminate()
        pytest.fail("daphne did not start")
    url = f"http://127.0.0.1:{process.port.value}"
    localstripe.register_webhook(url + "/stripe/webhook/")
    yield url
    process.terminate()
    process.join(timeout=10)


@pytest.fixture
def on_air_session(demo_loaded, django_user_model):
    from livestream.sessions import session_go_live

    user = django_user_model.objects.create_user("browser-host", "browser-host@example.com", "pw-for-tests-only")
    host = Host.objects.create(user=user, display_name="阿嫂嫂", commission_rate_bp=800)
    session = LiveSession.objects.create(
        host=host, title="阿嫂嫂带你赶海", scheduled_start=timezone.now() + datetime.timedelta(minutes=1)
    )
    zhizi = ProductPage.objects.get(slug="changjie-zhizi")
    for variant in zhizi.variants.all():
        stock_receive(sku=variant.sku, quantity=50, reason="browser test stock")
    SessionProduct.objects.create(session=session, product=zhizi, sort_order=0)
    # playwright's sync API keeps an event loop in this thread, and going live broadcasts
    # through async_to_sync: do it from a thread of its own, as the media callback would.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(session_go_live, stream_key=session.stream_key).result()
    return session, user, zhizi


def _logged_in_cookie(user, url: str) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}


def test_viewer_sees_the_pinned_clams_and_buys_them_in_the_room(browser, asgi_server, on_air_session):
    session, host_user, zhizi = on_air_session

    # given the host's console open on one device, logged in as the host
    host_context = browser.new_context(base_url=asgi_server, locale="zh-CN", viewport={"width": 430, "height": 900})
    host_context.add_cookies([_logged_in_cookie(host_user, asgi_server)])
    console = host_context.new_page()
    console.set_default_timeout(15_000)
    console.goto(f"/live/{session.pk}/console/")
    expect(console.locator("[data-console]")).to_have_attribute("data-connected", "true")

    # and a viewer in the room on a phone, as a guest
    viewer_context = browser.new_context(base_url=asgi_server, locale="zh-CN", **PHONE)
    room = viewer_context.new_page()
    room.set_default_timeout(15_000)
    room.goto(f"/live/{session.pk}/")
    expect(room.locator("[data-live-room]")).to_have_attribute("data-connected", "true")
    expect(room.locator("[data-product-card]")).to_be_hidden()

    # when the host pins 长街蛭子
    console.locator(f'[data-pin="{zhizi.pk}"]').click()

    # then the viewer's room shows its card at once
    card = room.locator("[data-product-card]")
    expect(card).to_be_visible()
    expect(card).to_contain_text("长街蛭子")

    # and the host's console counts the viewer
    expect(console.locator('[data-stat="viewers"]')).to_have_text("1")

    # when the host drops a live offer priced in yuan
    offer_form = console.locator("[data-offer-form]")
    offer_form.locator("select[name=sku]").select_option("CJ-ZZ-1KG")
    offer_form.locator("input[name=price]").fill("99.5")
    offer_form.locator("input[name=quantity]").fill("5")
    offer_form.locator("input[name=per_buyer_limit]").fill("1")
    offer_form.locator("button[type=submit]").click()

    # then the viewer sees its price (converted to fen exactly) and what is left, counting down
    offer_box = room.locator("[data-offer]")
    expect(offer_box).to_be_visible()
    expect(offer_box.locator("[data-offer-price]")).to_have_text("¥99.50")
    expect(offer_box.locator("[data-offer-remaining]")).to_contain_text("5")
    expect(offer_box.locator("[data-offer-countdown]")).to_contain_text(re.compile(r"\d\d:\d\d"))

    # when the viewer buys 1kg at the catalogue price from the card's sheet
    room.locator("[data-product-buy]").click()
    sheet = room.get_by_role("dialog")
    expect(sheet).to_be_visible()
    # (Esc closes the sheet and gives focus back; it opens again)
    room.keyboard.press("Escape")
    expect(sheet).to_be_hidden()
    expect(room.locator("[data-product-buy]")).to_be_focused()
    room.locator("[data-product-buy]").click()
    expect(sheet).to_be_visible()
    sheet.locator('input[name=sku][value="CJ-ZZ-1KG"]').check()
    sheet.locator("[data-buy-submit]").click()

    # then checkout opens inside the sheet, and they check out and pay there
    frame = room.frame_locator("iframe.sheet__frame")
    frame.locator("#id_mobile").fill("13800138000")
    frame.locator("#id_recipient").fill("王小明")
    frame.locator("#id_province").fill("浙江省")
    frame.locator("#id_city").fill("宁波市")
    frame.locator("#id_district").fill("宁海县")
    frame.locator("#id_detail").fill("长街镇长街大道 18 号")
    frame.locator("[data-checkout-form] button[type=submit]").click()
    card_element = frame.locator("#card-element")
    card_element.locator("input[placeholder=number]").fill("4242424242424242")
    card_element.locator("input[placeholder=exp_month]").fill("12")
    card_element.locator("input[placeholder=exp_year]").fill("34")
    card_element.locator("input[placeholder=cvc]").fill("123")
    card_element.locator("input[placeholder=postal_code]").fill("315000")
    frame.locator("[data-pay-button]").click()
    expect(frame.locator("[data-order-status]")).to_have_attribute("data-order-status", "paid", timeout=20_000)

    # and the order is paid, attributed to the session, while the viewer never left the room
    assert re.search(rf"/live/{session.pk}/$", room.url)
    line = OrderLine.objects.select_related("order").get(sku="CJ-ZZ-1KG", order__status=OrderStatus.PAID)
    assert line.live_session_id == session.pk
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 1
    assert room.evaluate("document.documentElement.scrollWidth") <= 390

    host_context.close()
    viewer_context.close()
