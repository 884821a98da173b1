"""The host console shows ¥100,000.00 when it is first drawn and again after the socket's figures.

The socket is a stand-in (the test plays the server's part), so the page, its template and its
scripts are the real ones while no ASGI server is needed.
"""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from livestream import reports
from livestream.models import Host, LiveSession, SessionStatus
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every socket the page opens is kept in window.sockets; the test delivers messages to it.
FAKE_SOCKET = """
window.sockets = [];
window.WebSocket = class extends EventTarget {
  constructor(url) { super(); this.url = url; this.readyState = 1; window.sockets.push(this);
    setTimeout(() => this.dispatchEvent(new Event("open"))); }
  send() {}
  close() {}
};
window.WebSocket.OPEN = 1;
"""


def _deliver(page, payload: dict) -> None:
    page.wait_for_function("window.sockets.length > 0")
    page.evaluate("(data) => window.sockets.at(-1).dispatchEvent(new MessageEvent('message', { data }))", json.dumps(payload))


def test_console_figures_keep_thousands_separators_after_a_socket_update(browser, live_server, demo_loaded, django_user_model, monkeypatch):
    # given a host whose session has sold ¥100,000.00 so far
    user = django_user_model.objects.create_user("money-host", "money-host@example.com", "pw-for-tests-only")
    host = Host.objects.create(user=user, display_name="阿嫂嫂", commission_rate_bp=800)
    session = LiveSession.objects.create(
        host=host, title="十万元之夜", status=SessionStatus.LIVE, scheduled_start=timezone.now() - datetime.timedelta(minutes=5)
    )
    figures = {**reports.session_stats(session), "gmv_fen": 10_000_000}
    monkeypatch.setattr(reports, "session_stats", lambda s: figures)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    context.add_init_script(FAKE_SOCKET)
    context.add_cookies([_session_cookie(user, live_server.url)])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        # when the host opens the console
        page.goto(reverse("livestream:console", args=[session.pk]))
        gmv = page.locator('[data-stat="gmv_fen"]')
        commission = page.locator('[data-stat="commission_fen"]')
        # then the first render shows the amount with separators
        expect(gmv).to_have_text("¥100,000.00")
        expect(commission).to_have_text("¥0.00")
        # and so does the script after the server pushes the figures
        _deliver(page, {"type": "stats", "gmv_fen": 10_000_000, "commission_fen": 800_000, "orders": 12})
        expect(commission).to_have_text("¥8,000.00")
        expect(gmv).to_have_text("¥100,000.00")
        expect(page.locator('[data-stat="orders"]')).to_have_text("12")
    finally:
        context.close()


def _session_cookie(user, url: str) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}
