"""localstripe (a local Stripe emulator from PyPI) as a real process, for payment tests.

The app is pointed at it through the same settings a real deployment uses (STRIPE_API_BASE,
keys, webhook secret); webhooks are registered through localstripe's /_config API, signed with
the secret, and delivered over HTTP to whatever server the test runs (live_server).
"""

import functools
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import require

WEBHOOK_SECRET = "whsec_test_alliance_market"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalStripe:
    def __init__(self, base: str):
        self.base = base

    def register_webhook(self, url: str, *, name: str = "test") -> None:
        response = requests.post(
            f"{self.base}/_config/webhooks/{name}", data={"url": url, "secret": WEBHOOK_SECRET}, timeout=10
        )
        response.raise_for_status()

    def payment_method(self, number: str = "4242424242424242") -> str:
        """A card payment method (Stripe.js creates these in the browser; localstripe only
        lets the secret key do it)."""
        response = requests.post(
            f"{self.base}/v1/payment_methods",
            data={"type": "card", "card[number]": number, "card[exp_month]": 12, "card[exp_year]": 2034, "card[cvc]": "123"},
            auth=("sk_test_alliance", ""), timeout=10,
        )
        response.raise_for_status()
        return response.json()["id"]


@pytest.fixture(scope="session")
def localstripe_server(tmp_path_factory):
    executable = Path(sys.executable).with_name("localstripe")
    require(executable.exists() or shutil.which("localstripe") is not None, "localstripe is not installed (pip install localstripe)")
    port = _free_port()
    log = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    process = subprocess.Popen(
        [str(executable), "--port", str(port), "--from-scratch"], stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/v1/balance", auth=("sk_test_alliance", ""), timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"localstripe did not start; see {log}")
    yield LocalStripe(base)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def localstripe(localstripe_server, settings):
    """Point the app's Stripe settings at the running localstripe."""
    settings.STRIPE_SECRET_KEY = "sk_test_alliance"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_alliance"
    settings.STRIPE_API_BASE = localstripe_server.base
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return localstripe_server


GATEWAY_CALLS = ("intent_create", "intent_retrieve", "intent_confirm", "intent_cancel", "refund_create")


def outside_transactions(name: str, call):
    """`call`, failing if made inside a database transaction other than the test's own."""

    @functools.wraps(call)
    def guarded(*args, **kwargs):
        from django.db import connection

        opened = [block for block in connection.atomic_blocks if not block._from_testcase]
        assert not opened, f"stripe_gateway.{name} was called inside a database transaction"
        return call(*args, **kwargs)

    return guarded


@pytest.fixture
def stripe_outside_transactions(monkeypatch):
    """Every Stripe call the test makes asserts that no transaction is open around it."""
    from orders.buying import stripe_gateway

    for name in GATEWAY_CALLS:
        monkeypatch.setattr(stripe_gateway, name, outside_transactions(name, getattr(stripe_gateway, name)))
