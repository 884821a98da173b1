"""The live room's sockets: what every event looks like on the wire, and who may do what.

Each test runs one async scenario under async_to_sync (pytest-asyncio is not a dependency);
every communicator is disconnected, also when an assertion fails.
"""

import asyncio
import json
from contextlib import asynccontextmanager

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from livestream import broadcast, chat, events, offers, presence, sessions
from livestream.models import Comment, LiveSession, Mute, SessionStatus
from livestream.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_room(settings, monkeypatch, demo_loaded):
    """A clean cache and channel layer, and short throttles so trailing broadcasts come fast."""
    cache.clear()
    channel_layers.backends.clear()
    monkeypatch.setattr(presence, "VIEWERS_INTERVAL", 0.2)
    monkeypatch.setattr(presence, "LIKES_INTERVAL", 0.2)
    settings.LIVE_CHAT_RATE = 3
    settings.LIVE_CHAT_WINDOW_SECONDS = 60
    yield
    cache.clear()


class AsUser:
    """The app with scope["user"] set, as the session middleware does for a logged-in browser."""

    def __init__(self, app, user):
        self.app, self.user = app, user

    async def __call__(self, scope, receive, send):
        return await self.app({**scope, "user": self.user or AnonymousUser()}, receive, send)


@asynccontextmanager
async def socket(path: str, user=None):
    communicator = WebsocketCommunicator(AsUser(URLRouter(websocket_urlpatterns), user), path)
    connected, _ = await communicator.connect()
    assert connected
    try:
        yield communicator
    finally:
        try:
            await communicator.disconnect()
        except asyncio.CancelledError:
            # A receive that timed out has already stopped the application; the assertion
            # that timed out is the error worth showing.
            pass


async def next_of(communicator, kind: str, *, timeout: float = 3) -> dict:
    """The next message of type `kind`, skipping others (viewer counts arrive at any time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = deadline - loop.time()
        assert remaining > 0, f"no {kind!r} event arrived"
        message = await communicator.receive_output(timeout=remaining)
        if message["type"] == "websocket.close":
            raise AssertionError(f"socket closed with {message.get('code')} while waiting for {kind!r}")
        payload = json.loads(message["text"])
        if payload["type"] == kind:
            return payload


async def nothing_of(communicator, kind: str, *, wait: float = 0.4) -> None:
    # receive_nothing, unlike a receive_output that times out, leaves the application running.
    while not await communicator.receive_nothing(timeout=wait):
        message = await communicator.receive_output()
        if message["type"] == "websocket.send":
            assert json.loads(message["text"])["type"] != kind, f"unexpected {kind!r} event"


async def closed_with(communicator) -> int:
    while True:
        message = await communicator.receive_output(timeout=3)
        if message["type"] == "websocket.close":
            return message["code"]


def run(scenario):
    async_to_sync(scenario)()


def viewer_path(session) -> str:
    return f"/ws/live/{session.pk}/"


def host_path(session) -> str:
    return f"/ws/live/{session.pk}/host/"


@pytest.fixture
def viewer(django_user_model):
    return django_user_model.objects.create_user("xiaoming", "xm@example.com", "pw-for-tests-only", first_name="小明")


# --- arriving -------------------------------------------------------------------------------


def test_viewer_gets_the_room_state_at_once_when_connecting(on_air, zhizi):
    sessions.pin_set(session=on_air, product=zhizi)
    Comment.objects.create(session=on_air, author_name="甲", body="hello")
    Comment.objects.create(session=on_air, author_name="乙", body="gone", removed_at=on_air.started_at)

    async def scenario():
        async with socket(viewer_path(on_air)) as ws:
            state = await next_of(ws, "state")
            assert state["status"] == "live"
            assert state["started_at"]
            assert state["playback_url"].endswith(f"{on_air.stream_key}.m3u8")
            assert state["product"]["id"] == zhizi.pk
            assert [c["body"] for c in state["comments"]] == ["hello"]
            assert state["viewers"] == 0 and state["likes"] == 0 and state["offers"] == []

    run(scenario)


def test_socket_is_closed_with_4404_when_the_session_does_not_exist(db):
    async def scenario():
        async with socket("/ws/live/999999/") as ws:
            assert await closed_with(ws) == 4404

    run(scenario)


def test_reconnecting_viewer_gets_the_current_state_when_things_changed_while_away(on_air, zhizi):
    async def scenario():
        async with socket(viewer_path(on_air)) as ws:
            assert (await next_of(ws, "state"))["product"] is None
        await database_sync_to_async(sessions.pin_set)(session=on_air, product=zhizi)
        async with socket(viewer_path(on_air)) as ws:
            assert (await next_of(ws, "state"))["product"]["title"] == "长街蛭子"

    run(scenario)


def test_state_of_an_ended_session_has_the_replay_and_the_pin_timeline(on_air, zhizi):
    sessions.pin_set(session=on_air, product=zhizi)
    sessions.session_end(session=on_air, replay_url="https://media.example.com/replay/1.m3u8")

    async def scenario():
        async with socket(viewer_path(on_air)) as ws:
            state = await next_of(ws, "state")
            assert state["status"] == "ended"
            assert state["replay_url"] == "https://media.example.com/replay/1.m3u8"
            assert [p["product"]["id"] for p in state["pins"]] == [zhizi.pk]

    run(scenario)


# --- events every viewer hears --------------------------------------------------------------


def test_viewers_hear_the_status_when_the_session_goes_live(live_session):
    async def scenario():
        async with socket(viewer_path(live_session)) as ws:
            assert (await next_of(ws, "state"))["status"] == "scheduled"
            await database_sync_to_async(sessions.session_go_live)(stream_key=live_session.stream_key)
            event = await next_of(ws, "status")
            assert event["status"] == "live" and event["started_at"]

    run(scenario)


def test_viewers_see_the_product_card_when_the_host_pins_it(on_air, host_user, zhizi):
    async def scenario():
        async with socket(viewer_path(on_air)) as ws, socket(host_path(on_air), host_user) as host:
            await next_of(ws, "state")
            await next_of(host, "state")
            await host.send_json_to({"action": "pin", "product_id": zhizi.pk})
            event = await next_of(ws, "pin")
            assert event["product"]["title"] == "长街蛭子"
            assert {v["sku"] for v in event["product"]["variants"]} >= {"CJ-ZZ-1KG"}
            await host.send_json_to({"action": "pin", "product_id": None})
            assert (await next_of(ws, "pin"))["product"] is None

    run(scenario)


def test_viewers_hear_an_offer_start_and_end_when_the_host_runs_it(on_air, host_user, zhizi):
    async def scenario():
        async with socket(viewer_path(on_air)) as ws, socket(host_path(on_air), host_user) as host:
            await next_of(ws, "state")
            await host.send_json_to({
                "action": "offer_create", "sku": "CJ-ZZ-1KG", "price_fen": 9900, "quantity": 10,
                "per_buyer_limit": 2, "duration_seconds": 300, "start": True,
            })
            started = await next_of(ws, "offer")
            assert started["event"] == "started"
            offer = started["offer"]
            assert (offer["price_fen"], offer["remaining"], offer["per_buyer_limit"]) == (9900, 10, 2)
            assert offer["ends_at"] and offer["server_time"]
            await host.send_json_to({"action": "offer_stop", "offer_id": offer["id"]})
            ended = await next_of(ws, "offer")
            assert (ended["event"], ended["offer"]["id"]) == ("ended", offer["id"])

    run(scenario)


def test_a_draft_offer_reaches_only_the_host_until_it_starts(on_air, host_user, zhizi):
    async def scenario():
        async with socket(viewer_path(on_air)) as ws, socket(host_path(on_air), host_user) as host:
            await next_of(ws, "state")
            await host.send_json_to({
                "action": "offer_create", "sku": "CJ-ZZ-1KG", "price_fen": 9900, "quantity": 5,
                "per_buyer_limit": 1, "duration_seconds": None, "start": False,
            })
            draft = await next_of(host, "offer")
            assert (draft["event"], draft["offer"]["status"]) == ("changed", "draft")
            await nothing_of(ws, "offer")
            await host.send_json_to({"action": "offer_start", "offer_id": draft["offer"]["id"]})
            assert (await next_of(ws, "offer"))["event"] == "started"

    run(scenario)


def _claim(offer, quantity, user_id):
    from orders.buying.offer_provider import Buyer, OfferClaim

    offers.offer_claim(
        claims=[OfferClaim(offer_id=offer.pk, sku=offer.sku, quantity=quantity)],
        buyer=Buyer(user_id=user_id, phone=""), reference=f"test-{offer.pk}-{quantity}",
    )


def test_every_viewer_hears_remaining_and_sold_out_when_the_offer_sells(on_air, zhizi, viewer):
    offer = offers.offer_create(session=on_air, sku="CJ-ZZ-1KG", price_fen=9900, quantity=3, per_buyer_limit=3)
    offers.offer_start(offer=offer)

    async def scenario():
        async with socket(viewer_path(on_air)) as one, socket(viewer_path(on_air)) as two:
            assert [o["id"] for o in (await next_of(one, "state"))["offers"]] == [offer.pk]
            await next_of(two, "state")
            await database_sync_to_async(_claim)(offer, 1, viewer.pk)
            for ws in (one, two):
                event = await next_of(ws, "remaining")
                assert (event["remaining"], event["sold_out"]) == (2, False)
            await database_sync_to_async(_claim)(offer, 2, viewer.pk + 1000)
            for ws in (one, two):
                event = await next_of(ws, "remaining")
                assert (event["remaining"], event["sold_out"]) == (0, True)
                ended = await next_of(ws, "offer")
                assert (ended["event"], ended["offer"]["remaining"]) == ("ended", 0)

    run(scenario)


def test_viewers_see_the_sale_ticker_when_a_sale_is_broadcast(on_air):
    async def scenario():
        async with socket(viewer_path(on_air)) as ws:
            await next_of(ws, "state")
            await sync_to_async(broadcast.send_to_room)(
                on_air.pk, events.sale_event(buyer_name="王小明", quantity=2, label="1kg 鲜活", product_title="长街蛭子")
            )
            sale = await next_of(ws, "sale")
            assert sale == {"type": "sale", "buyer": "王**", "quantity": 2, "label": "1kg 鲜活", "product_title": "长街蛭子"}

    run(scenario)


def test_everyone_sees_a_comment_when_a_logged_in_viewer_posts_it(on_air, viewer):
    async def scenario():
        async with socket(viewer_path(on_air), viewer) as author, socket(viewer_path(on_air)) as other:
            await next_of(author, "state")
            await next_of(other, "state")
            await author.send_json_to({"action": "comment", "body": "  蛭子多少钱一斤？ "})
            for ws in (author, other):
                comment = (await next_of(ws, "comment"))["comment"]
                assert (comment["author"], comment["body"], comment["user_id"]) == ("小明", "蛭子多少钱一斤？", viewer.pk)

    run(scenario)


def test_comment_comes_back_html_escaped_when_it_contains_markup(on_air, viewer):
    async def scenario():
        async with socket(viewer_path(on_air), viewer) as ws:
            await next_of(ws, "state")
            await ws.send_json_to({"action": "comment", "body": '<script>alert("x")</script>'})
            comment = (await next_of(ws, "comment"))["comment"]
            assert comment["body"] == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
        async with socket(viewer_path(on_air)) as ws:
            state = await next_of(ws, "state")
            assert state["comments"][-1]["body"].startswith("&lt;script&gt;")

    run(scenario)


def test_viewers_see_a_comment_disappear_when_the_host_removes_it(on_air, host_user, viewer):
    comment = Comment.objects.create(session=on_air, user=viewer, author_name="小明", body="spam")

    async def scenario():
        async with socket(viewer_path(on_air)) as ws, socket(host_path(on_air), host_user) as host:
            await next_of(ws, "state")
            await host.send_json_to({"action": "comment_remove", "comment_id": comment.pk})
            assert (await next_of(ws, "comment_removed"))["comment_id"] == comment.pk

    run(scenario)
    comment.refresh_from_db()
    assert comment.removed_at is not None and comment.removed_by == host_user


def test_viewers_hear_the_count_when_viewers_come_and_go(on_air):
    async def scenario():
        async with socket(viewer_path(on_air)) as first:
            await next_of(first, "state")
            assert (await next_of(first, "viewers"))["count"] == 1
            async with socket(viewer_path(on_air)) as second:
                await next_of(second, "state")
                # Within the throttle interval: folded into one trailing broadcast.
                assert (await next_of(first, "viewers"))["count"] == 2
            assert (await next_of(first, "viewers"))["count"] == 1

    run(scenario)
    assert LiveSession.objects.get(pk=on_air.pk).peak_viewers == 2


def test_viewers_hear_the_likes_total_when_someone_likes(on_air):
    async def scenario():
        async with socket(viewer_path(on_air)) as ws:
            await next_of(ws, "state")
            await ws.send_json_to({"action": "like", "count": 5})
            assert (await next_of(ws, "likes"))["count"] == 5
            await ws.send_json_to({"action": "like", "count": 3})
            await ws.send_json_to({"action": "like", "count": 2})
            assert (await next_of(ws, "likes"))["count"] == 10

    run(scenario)
    assert LiveSession.objects.get(pk=on_air.pk).likes == 10


def test_like_is_refused_when_the_count_is_out_of_range(on_air):
    async def scenario():
        async with socket(viewer_path(on_air)) as ws:
            await next_of(ws, "state")
            await ws.send_json_to({"action": "like", "count": 500})
            assert (await next_of(ws, "error"))["code"] == "bad_request"

    run(scenario)
    assert LiveSession.objects.get(pk=on_air.pk).likes == 0


# --- the host console -----------------------------------------------------------------------


def test_host_gets_stats_but_viewers_do_not_when_they_connect_and_ask(on_air, host_user):
    async def scenario():
        async with socket(host_path(on_air), host_user) as host, socket(viewer_path(on_air)) as ws:
            await next_of(host, "state")
            stats = await next_of(host, "stats")
            assert set(stats) >= {"gmv_fen", "orders", "units", "buyers", "commission_fen", "comments", "viewers", "likes"}
            await next_of(ws, "state")
            await sync_to_async(broadcast.send_to_hosts)(on_air.pk, {"type": "stats", "gmv_fen": 12800})
            assert (await next_of(host, "stats"))["gmv_fen"] == 12800
            await nothing_of(ws, "stats")
            await host.send_json_to({"action": "stats"})
            assert (await next_of(host, "stats"))["gmv_fen"] == 0

    run(scenario)


def test_host_socket_is_closed_with_4403_when_someone_else_opens_it(on_air, viewer):
    async def scenario():
        async with socket(host_path(on_air), viewer) as ws:
            assert await closed_with(ws) == 4403
        async with socket(host_path(on_air)) as ws:
            assert await closed_with(ws) == 4403

    run(scenario)


def test_nothing_happens_when_a_viewer_sends_host_actions(on_air, viewer, zhizi):
    comment = Comment.objects.create(session=on_air, author_name="甲", body="stays")

    async def scenario():
        async with socket(viewer_path(on_air), viewer) as ws:
            await next_of(ws, "state")
            for action in (
                {"action": "pin", "product_id": zhizi.pk},
                {"action": "comment_remove", "comment_id": comment.pk},
                {"action": "mute", "user_id": viewer.pk},
                {"action": "offer_create", "sku": "CJ-ZZ-1KG", "price_fen": 1, "quantity": 1, "start": True},
                {"action": "end"},
            ):
                await ws.send_json_to(action)
                assert (await next_of(ws, "error"))["code"] == "forbidden"
            await nothing_of(ws, "pin")

    run(scenario)
    on_air.refresh_from_db()
    assert on_air.status == SessionStatus.LIVE
    assert sessions.pinned_product(on_air) is None
    assert not on_air.offers.exists() and not Mute.objects.exists()
    assert Comment.objects.get(pk=comment.pk).removed_at is None


def test_host_ends_the_session_and_viewers_hear_it(on_air, host_user):
    async def scenario():
        async with socket(viewer_path(on_air)) as ws, socket(host_path(on_air), host_user) as host:
            await next_of(ws, "state")
            await host.send_json_to({"action": "end"})
            assert (await next_of(ws, "status"))["status"] == "ended"

    run(scenario)


def test_host_gets_the_reason_when_an_action_fails(on_air, host_user):
    async def scenario():
        async with socket(host_path(on_air), host_user) as host:
            await next_of(host, "state")
            await host.send_json_to({"action": "offer_create", "sku": "NOPE", "price_fen": 100, "quantity": 1, "start": True})
            error = await next_of(host, "error")
            assert error["code"] == "offer" and "NOPE" in error["message"]

    run(scenario)


# --- chat rules -----------------------------------------------------------------------------


def test_comment_is_refused_when_the_viewer_is_muted(on_air, host_user, viewer):
    async def scenario():
        async with socket(host_path(on_air), host_user) as host, socket(viewer_path(on_air), viewer) as ws:
            await next_of(host, "state")
            await next_of(ws, "state")
            await host.send_json_to({"action": "mute", "user_id": viewer.pk})
            assert (await next_of(host, "muted"))["user_id"] == viewer.pk
            await ws.send_json_to({"action": "comment", "body": "hello"})
            assert (await next_of(ws, "error"))["code"] == "muted"

    run(scenario)
    assert not Comment.objects.filter(session=on_air).exists()


def test_comment_is_refused_when_the_viewer_is_anonymous(on_air):
    async def scenario():
        async with socket(viewer_path(on_air)) as ws:
            await next_of(ws, "state")
            await ws.send_json_to({"action": "comment", "body": "hello"})
            assert (await next_of(ws, "error"))["code"] == "login_required"

    run(scenario)


def test_comments_are_refused_when_the_viewer_exceeds_the_rate(on_air, viewer):
    async def scenario():
        async with socket(viewer_path(on_air), viewer) as ws:
            await next_of(ws, "state")
            for n in range(3):
                await ws.send_json_to({"action": "comment", "body": f"#{n}"})
                await next_of(ws, "comment")
            await ws.send_json_to({"action": "comment", "body": "one too many"})
            assert (await next_of(ws, "error"))["code"] == "rate_limited"

    run(scenario)
    assert Comment.objects.filter(session=on_air).count() == 3


def test_socket_stays_open_and_answers_bad_request_when_the_json_is_broken(on_air, viewer):
    async def scenario():
        async with socket(viewer_path(on_air), viewer) as ws:
            await next_of(ws, "state")
            await ws.send_to(text_data="{not json")
            assert (await next_of(ws, "error"))["code"] == "bad_request"
            await ws.send_json_to({"action": "comment", "body": "still here"})
            assert (await next_of(ws, "comment"))["comment"]["body"] == "still here"

    run(scenario)


def test_comment_is_refused_when_empty_or_too_long(on_air, viewer):
    async def scenario():
        async with socket(viewer_path(on_air), viewer) as ws:
            await next_of(ws, "state")
            for body in ("   ", "长" * 201):
                await ws.send_json_to({"action": "comment", "body": body})
                assert (await next_of(ws, "error"))["code"] == "invalid"

    run(scenario)
    assert not Comment.objects.exists()


def test_chat_service_refuses_moderation_when_the_actor_is_not_the_host(on_air, viewer):
    comment = Comment.objects.create(session=on_air, author_name="甲", body="x")
    with pytest.raises(chat.ChatError) as error:
        chat.comment_remove(session=on_air, comment_id=comment.pk, actor=viewer)
    assert error.value.code == "forbidden"
