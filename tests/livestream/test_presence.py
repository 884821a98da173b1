"""Viewer counting across processes (through the shared cache), throttled broadcasts, samples."""

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache

from livestream import broadcast, presence
from livestream.models import LiveSession, ViewerSample

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sent(monkeypatch):
    cache.clear()
    messages = []
    monkeypatch.setattr(broadcast, "send_to_room", lambda session_id, payload: messages.append(payload))
    yield messages
    cache.clear()


def test_count_is_shared_when_sockets_join_in_different_processes(on_air):
    # Two processes share nothing but the cache: counting goes through it alone.
    presence.viewer_add(on_air.pk, 1)
    presence.viewer_add(on_air.pk, 1)
    presence.viewer_add(on_air.pk, -1)

    assert presence.viewer_count(on_air.pk) == 1


def test_count_never_goes_below_zero_when_leaves_outnumber_joins(on_air):
    presence.viewer_add(on_air.pk, -1)

    assert presence.viewer_count(on_air.pk) == 0


def test_publish_raises_the_peak_and_samples_at_most_every_ten_seconds(on_air, sent):
    for _ in range(3):
        presence.viewer_add(on_air.pk, 1)
    presence.viewers_publish(on_air.pk)
    presence.viewer_add(on_air.pk, -1)
    presence.viewers_publish(on_air.pk)

    on_air.refresh_from_db()
    assert on_air.peak_viewers == 3
    assert list(ViewerSample.objects.filter(session=on_air).values_list("viewers", flat=True)) == [3]
    assert [p for p in sent if p["type"] == "viewers"] == [{"type": "viewers", "count": 3}, {"type": "viewers", "count": 2}]


def test_no_sample_is_stored_when_the_session_is_not_live(live_session):
    presence.viewer_add(live_session.pk, 1)
    presence.viewers_publish(live_session.pk)

    assert not ViewerSample.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_crowd_arriving_at_once_causes_one_broadcast_and_one_trailing(demo_loaded, on_air, sent, monkeypatch):
    # An interval the 200 arrivals fit in even on a busy machine: one broadcast now, one after.
    monkeypatch.setattr(presence, "VIEWERS_INTERVAL", 1.0)
    monkeypatch.setattr(presence, "AUDIENCE_PER_SECOND", 1_000_000)  # a small room: the base interval

    async def crowd():
        import asyncio

        for _ in range(200):
            await presence.viewer_arrived(on_air.pk)
        await asyncio.sleep(1.5)

    async_to_sync(crowd)()

    counts = [p["count"] for p in sent if p["type"] == "viewers"]
    assert counts[0] == 1 and counts[-1] == 200
    assert len(counts) <= 3


@pytest.mark.parametrize("count", [0, 21, -1, "5", True, None])
def test_like_is_refused_when_the_count_is_out_of_range(on_air, count):
    with pytest.raises(ValueError):
        presence.like_add(on_air.pk, count)

    assert LiveSession.objects.get(pk=on_air.pk).likes == 0


def test_likes_add_up_when_sent(on_air):
    presence.like_add(on_air.pk, 20)
    presence.like_add(on_air.pk, 1)

    assert presence.likes_publish(on_air.pk) == 21


def test_state_has_everything_the_room_draws(on_air, zhizi):
    from livestream import sessions

    sessions.pin_set(session=on_air, product=zhizi)

    state = presence.room_state(on_air)

    assert state["type"] == "state" and state["status"] == "live"
    assert state["product"]["id"] == zhizi.pk
    assert {"offers", "viewers", "likes", "comments", "started_at", "playback_url", "server_time"} <= set(state)
    assert "drafts" not in state and "drafts" in presence.room_state(on_air, for_host=True)


def test_figures_are_broadcast_less_often_as_the_room_grows():
    from livestream.presence import MAX_INTERVAL, interval_for

    assert interval_for(2.0, 10) == 2.0
    assert interval_for(2.0, 1_000) == 4.0
    assert interval_for(1.0, 5_000) == 20.0
    assert interval_for(2.0, 100_000) == MAX_INTERVAL
