"""The home page shows who is on air and what is coming up; the demo brings a host and sessions."""

import pytest
from django.urls import reverse

from livestream.models import Host, LiveSession, SessionStatus
from livestream.sessions import session_go_live

pytestmark = pytest.mark.django_db


def test_home_lists_upcoming_sessions_with_a_reminder_form(client, live_session):
    page = client.get("/").content.decode()
    assert live_session.title in page
    assert reverse("livestream:remind", args=[live_session.pk]) in page


def test_home_marks_sessions_on_air(client, live_session):
    session_go_live(stream_key=live_session.stream_key)
    page = client.get("/").content.decode()
    assert "live-badge" in page and reverse("livestream:room", args=[live_session.pk]) in page


def test_home_has_no_live_strip_when_nothing_is_on_or_coming(client):
    LiveSession.objects.filter(status=SessionStatus.SCHEDULED).update(status=SessionStatus.ENDED)
    assert "live-strip" not in client.get("/").content.decode()


def test_demo_has_a_host_an_upcoming_session_and_a_replay_with_its_pins():
    host = Host.objects.get(user__username="asaosao")
    sessions = LiveSession.objects.filter(host=host)
    assert sessions.filter(status=SessionStatus.SCHEDULED).count() == 2
    replay = sessions.get(status=SessionStatus.ENDED)
    assert replay.pins.count() == replay.session_products.count() >= 2
