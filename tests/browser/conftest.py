"""Debian's chromium driven by playwright (no downloaded browser), on a phone-sized viewport."""

import os
from pathlib import Path

import pytest

from tests.conftest import require

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.exists(), "Debian chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    # playwright's sync API runs an event loop in this thread while it is started; the test's
    # own ORM calls are still synchronous and safe. Per module, so the loop is gone again before
    # tests that drive Channels or asyncio themselves (they cannot run beside a running loop).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server, demo_loaded):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
