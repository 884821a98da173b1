"""Who is in the room, the likes they send, and what a socket is told when it arrives.

Viewer counts live in the shared cache (Redis in the full stack, so every ASGI process counts
into the same number; local memory in `make run`, one process). Sockets join and leave far more
often than anyone needs to hear about it, so the count and the likes are broadcast at most
once per interval per session: the first change is sent at once, later ones within the interval
are folded into a single trailing broadcast. 5,000 viewers arriving together cost a handful of
messages per socket, not 5,000 each.

Viewer samples for the report are written at most every SAMPLE_SECONDS, and the session's peak
is raised whenever a broadcast count exceeds it.
"""

import asyncio

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from livestream import broadcast, chat, events, offers, sessions
from livestream.models import LiveSession, SessionStatus, ViewerSample

# Seconds between two broadcasts of the same figure in one session.
VIEWERS_INTERVAL = 2.0
LIKES_INTERVAL = 1.0
# Rooms larger than this many sockets per second of interval hear these figures less often
# (interval_for), and never less often than MAX_INTERVAL.
AUDIENCE_PER_SECOND = 250
MAX_INTERVAL = 30.0
# Seconds between two stored viewer samples of one session.
SAMPLE_SECONDS = 10
LIKE_MAX = 20

# Trailing broadcasts scheduled in this process; kept so they are not collected mid-flight.
_pending: set[asyncio.Task] = set()


def _count_key(session_id: int) -> str:
    return f"live:viewers:{session_id}"


def viewer_count(session_id: int) -> int:
    """Sockets open on the session's room now, across every process."""
    return max(int(cache.get(_count_key(session_id)) or 0), 0)


def viewer_add(session_id: int, delta: int) -> int:
    """Count a socket in (+1) or out (-1); never below zero. Returns the new count."""
    key = _count_key(session_id)
    cache.add(key, 0, timeout=None)
    try:
        count = cache.incr(key, delta)
    except ValueError:
        # The key was evicted in between: start again from this change.
        count = max(delta, 0)
        cache.set(key, count, timeout=None)
    if count < 0:
        # A process died without counting its sockets out; clamp rather than show "-3".
        cache.set(key, 0, timeout=None)
        count = 0
    return count


def viewers_publish(session_id: int) -> int:
    """Broadcast the current count, raise the peak, and sample it for the report (throttled)."""
    count = viewer_count(session_id)
    broadcast.send_to_room(session_id, events.viewers_event(count))
    LiveSession.objects.filter(pk=session_id, peak_viewers__lt=count).update(peak_viewers=count)
    if cache.add(f"live:viewers-sampled:{session_id}", 1, timeout=SAMPLE_SECONDS):
        if LiveSession.objects.filter(pk=session_id, status=SessionStatus.LIVE).exists():
            ViewerSample.objects.create(session_id=session_id, at=timezone.now(), viewers=count)
    return count


def like_add(session_id: int, count: int) -> int:
    """Add `count` likes (1..LIKE_MAX) to the session's total; returns how many were added.

    Raises ValueError for a count out of range.
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= LIKE_MAX:
        raise ValueError(count)
    LiveSession.objects.filter(pk=session_id).update(likes=F("likes") + count)
    return count


def likes_publish(session_id: int) -> int:
    likes = LiveSession.objects.filter(pk=session_id).values_list("likes", flat=True).first() or 0
    broadcast.send_to_room(session_id, events.likes_event(likes))
    return likes


NOW, LATER, FOLDED = "now", "later", "folded"


def _throttle_claim(name: str, interval: float) -> str:
    """NOW: publish at once; LATER: this caller schedules the trailing publish; FOLDED: one is
    already scheduled and will carry this change."""
    seconds = max(int(round(interval)), 1)
    if cache.add(f"live:sent:{name}", 1, timeout=seconds):
        return NOW
    if cache.add(f"live:pending:{name}", 1, timeout=seconds * 3):
        return LATER
    return FOLDED


def _throttle_flush(name: str, interval: float, publish, session_id: int) -> None:
    cache.delete(f"live:pending:{name}")
    cache.set(f"live:sent:{name}", 1, timeout=max(int(round(interval)), 1))
    publish(session_id)


async def _throttled(name: str, interval: float, publish, session_id: int) -> None:
    decision = await sync_to_async(_throttle_claim)(name, interval)
    if decision == NOW:
        await database_sync_to_async(publish)(session_id)
    elif decision == LATER:
        async def trailing():
            await asyncio.sleep(interval)
            await database_sync_to_async(_throttle_flush)(name, interval, publish, session_id)

        task = asyncio.ensure_future(trailing())
        _pending.add(task)
        task.add_done_callback(_pending.discard)


def interval_for(base: float, viewers: int) -> float:
    """Seconds between two broadcasts of a figure to a room of `viewers` sockets.

    A broadcast costs about 0.7 ms per socket on one process, so a fixed interval would let
    the viewer count and likes alone eat the process as the audience grows (at 3,000 viewers
    a count every 2 s is most of a core). The interval grows with the room, so these
    figures never take more than about a sixth of a core between them, capped at MAX_INTERVAL.
    """
    return min(max(base, viewers / AUDIENCE_PER_SECOND), MAX_INTERVAL)


async def viewer_arrived(session_id: int) -> None:
    count = await sync_to_async(viewer_add)(session_id, 1)
    await _throttled(f"viewers:{session_id}", interval_for(VIEWERS_INTERVAL, count), viewers_publish, session_id)


async def viewer_left(session_id: int) -> None:
    count = await sync_to_async(viewer_add)(session_id, -1)
    await _throttled(f"viewers:{session_id}", interval_for(VIEWERS_INTERVAL, count), viewers_publish, session_id)


async def likes_sent(session_id: int, count: int) -> None:
    """Raises ValueError for a count out of range (nothing is added then)."""
    await database_sync_to_async(like_add)(session_id, count)
    viewers = await sync_to_async(viewer_count)(session_id)
    await _throttled(f"likes:{session_id}", interval_for(LIKES_INTERVAL, viewers), likes_publish, session_id)


def room_state(session: LiveSession, *, for_host: bool = False) -> dict:
    """Everything a socket needs to draw the room from nothing (first connect or reconnect)."""
    state = {
        "type": events.STATE,
        "session_id": session.pk,
        "title": session.title,
        "status": session.status,
        "scheduled_start": session.scheduled_start,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "playback_url": sessions.playback_url(session) if session.status == SessionStatus.LIVE else "",
        "product": events.product_card(sessions.pinned_product(session)),
        "offers": [events.offer_payload(o) for o in offers.offers_running(session)],
        "viewers": viewer_count(session.pk),
        "likes": session.likes,
        "comments": [events.comment_payload(c) for c in chat.comments_recent(session)],
        "server_time": timezone.now(),
    }
    if session.status == SessionStatus.ENDED:
        state["replay_url"] = session.replay_url
        state["pins"] = sessions.pin_timeline(session)
    if for_host:
        state["drafts"] = [
            events.offer_payload(o) for o in session.offers.filter(status="draft").order_by("created_at", "id")
        ]
    return state

