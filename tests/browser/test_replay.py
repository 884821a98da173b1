"""A replay's product card follows the pin timeline as the recording plays, and can be bought."""

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from livestream.models import Host, LiveSession, PinEvent, SessionProduct, SessionStatus
from shop.models import ProductPage
from tests.conftest import require

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _recording(directory: Path, seconds: int) -> None:
    """An HLS VOD recording like the media server's: a test pattern cut into 1 s fragments."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size=320x180:rate=25:duration={seconds}",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
         "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", str(directory / "index.m3u8")],
        check=True, timeout=60,
    )


@pytest.fixture
def replay(demo_loaded, django_user_model):
    require(shutil.which("ffmpeg") is not None, "ffmpeg is not installed (apt-get install ffmpeg)")
    _recording(Path(settings.MEDIA_ROOT) / "replay-test", seconds=8)
    host = Host.objects.create(
        user=django_user_model.objects.create_user("replay-host", "replay-host@example.com", "pw"), display_name="阿嫂嫂"
    )
    started = timezone.now() - datetime.timedelta(hours=1)
    session = LiveSession.objects.create(
        host=host, title="回放", scheduled_start=started, status=SessionStatus.ENDED, started_at=started,
        ended_at=started + datetime.timedelta(seconds=8), replay_url=f"{settings.MEDIA_URL}replay-test/index.m3u8",
    )
    first, second = ProductPage.objects.get(slug="changjie-zhizi"), ProductPage.objects.get(slug="changjie-zhizi-gan")
    for order, (product, offset) in enumerate(((first, 0), (second, 3))):
        SessionProduct.objects.create(session=session, product=product, sort_order=order)
        PinEvent.objects.create(session=session, product=product, at=started + datetime.timedelta(seconds=offset),
                                offset_seconds=offset)
    return session, first, second


def test_replay_card_changes_at_the_pinned_moment_and_buys_within_the_window(phone, live_server, replay):
    session, first, second = replay
    # given the replay of a session whose host pinned 长街蛭子, then 长街蛭子干 three seconds in
    phone.goto(f"{live_server.url}/live/{session.pk}/")
    card = phone.locator("[data-product-link]")
    # when it plays from the start
    phone.locator("[data-video]").evaluate("v => { v.muted = true; v.currentTime = 0; return v.play(); }")
    expect(card).to_have_text(first.title, timeout=15_000)
    # then the second product's card shows once the recording passes its pin
    expect(card).to_have_text(second.title, timeout=15_000)
    assert phone.locator("[data-video]").evaluate("v => v.currentTime") >= 3
    # and it can be bought from the replay: the cart line carries the session (within 24 h of its end)
    phone.locator("[data-product-buy]").click()
    sheet = phone.get_by_role("dialog")
    expect(sheet).to_be_visible()
    from orders.models import CartLine

    sheet.locator("button[type=submit]").first.click()
    expect(sheet.locator("iframe")).to_be_visible(timeout=15_000)
    line = CartLine.objects.get(sku__in=list(second.variants.values_list("sku", flat=True)))
    assert line.live_session_id == session.pk and line.host_id == session.host_id
