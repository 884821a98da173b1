"""The live pages: the list, the room (live, scheduled, replay) and the host console."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from livestream import reports, sessions
from livestream.models import Comment

pytestmark = pytest.mark.django_db


def test_list_shows_live_upcoming_and_replays_when_sessions_exist(client, on_air, live_host, zhizi):
    from django.utils import timezone

    from livestream.models import LiveSession

    upcoming = LiveSession.objects.create(host=live_host, title="明早采笋", scheduled_start=timezone.now() + timezone.timedelta(days=1))
    ended = LiveSession.objects.create(host=live_host, title="昨天的赶海", scheduled_start=timezone.now(), status="ended")

    response = client.get(reverse("livestream:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert on_air.title in html and upcoming.title in html and ended.title in html
    assert reverse("livestream:remind", args=[upcoming.pk]) in html
    assert reverse("livestream:remind", args=[on_air.pk]) not in html


def test_room_renders_the_player_product_and_chat_when_live(client, on_air, zhizi):
    sessions.pin_set(session=on_air, product=zhizi)

    response = client.get(reverse("livestream:room", args=[on_air.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="live"' in html
    assert "长街蛭子" in html
    assert "livestream/vendor/hls.min.js" in html
    assert 'role="dialog"' in html
    assert reverse("orders:login") in html  # anonymous: a login link instead of the chat box
    assert "data-chat-form" not in html


def test_room_shows_the_chat_box_when_logged_in(client, on_air, django_user_model):
    client.force_login(django_user_model.objects.create_user("viewer", "v@example.com", "pw-for-tests-only"))

    html = client.get(reverse("livestream:room", args=[on_air.pk])).content.decode()

    assert "data-chat-form" in html


def test_room_shows_the_countdown_and_reminder_when_scheduled(client, live_session):
    html = client.get(reverse("livestream:room", args=[live_session.pk])).content.decode()

    assert "data-countdown-to" in html
    assert reverse("livestream:remind", args=[live_session.pk]) in html


def test_room_escapes_comments_when_they_contain_markup(client, on_air):
    Comment.objects.create(session=on_air, author_name="<b>x</b>", body='<script>alert("x")</script>')

    html = client.get(reverse("livestream:room", args=[on_air.pk])).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "&amp;lt;script" not in html  # escaped once, not twice


def test_room_is_404_when_the_session_does_not_exist(client, db):
    assert client.get(reverse("livestream:room", args=[999999])).status_code == 404


def test_console_renders_stream_key_and_products_when_the_host_opens_it(client, host_user, on_air, zhizi):
    client.force_login(host_user)

    response = client.get(reverse("livestream:console", args=[on_air.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert on_air.stream_key in html
    assert sessions.rtmp_url() in html
    assert f'data-pin="{zhizi.pk}"' in html
    assert "CJ-ZZ-1KG" in html


def test_console_is_403_when_someone_else_opens_it(client, on_air, django_user_model):
    client.force_login(django_user_model.objects.create_user("other", "o@example.com", "pw-for-tests-only"))

    assert client.get(reverse("livestream:console", args=[on_air.pk])).status_code == 403


def test_console_sends_anonymous_visitors_to_log_in(client, on_air):
    response = client.get(reverse("livestream:console", args=[on_air.pk]))

    assert response.status_code == 302 and response["Location"].startswith(reverse("orders:login"))


def test_console_shows_large_amounts_with_separators_when_first_drawn(client, host_user, on_air, monkeypatch):
    figures = {**reports.session_stats(on_air), "gmv_fen": 10_000_000, "commission_fen": 800_000, "orders": 3}
    monkeypatch.setattr(reports, "session_stats", lambda session: figures)
    client.force_login(host_user)

    html = client.get(reverse("livestream:console", args=[on_air.pk])).content.decode()

    assert '<dd data-stat="gmv_fen" data-money>¥100,000.00</dd>' in html
    assert '<dd data-stat="commission_fen" data-money>¥8,000.00</dd>' in html
    assert '<dd data-stat="orders">3</dd>' in html


@pytest.mark.parametrize(("page", "script"), [("console", "live-console.js"), ("room", "live-room.js")])
def test_live_pages_load_the_shared_money_formatter_before_their_script(client, host_user, on_air, page, script):
    client.force_login(host_user)

    html = client.get(reverse(f"livestream:{page}", args=[on_air.pk])).content.decode()

    assert html.index("shop/money.js") < html.index(f"livestream/{script}")
    source = (Path(settings.BASE_DIR) / "livestream" / "static" / "livestream" / script).read_text()
    assert "window.shopMoney" in source and "toFixed" not in source and not re.search(r"/ 100\b", source)
