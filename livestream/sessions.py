"""A session's life: going live and ending on the media server's word, pins, and its state.

The media server calls back with the stream key; only a scheduled or live session's own key
puts it on air. Every change is pushed to the room through broadcast.py.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from livestream import broadcast, events
from livestream.models import LiveOffer, LiveSession, OfferStatus, PinEvent, SessionProduct, SessionStatus
from livestream.offers import offer_stop
from livestream.tasks import reminders_send
from shop.models import ProductPage
from shop.signals import products_changed

# Stream keys are token_urlsafe; anything else cannot be ours and must not reach a file name.
STREAM_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class SessionError(Exception):
    """A session change that cannot be made; the message says why."""


class StreamRefused(SessionError):
    """The media server must refuse this stream (unknown key, or the session has ended)."""


def stream_key_valid(stream_key: str) -> bool:
    return bool(STREAM_KEY_RE.match(stream_key))


def hls_url_for(stream_key: str) -> str:
    """Where the media server publishes a stream's HLS playlist (settings.LIVE_HLS_BASE_URL)."""
    base = settings.LIVE_HLS_BASE_URL.rstrip("/")
    return f"{base}/{stream_key}.m3u8"


def playback_url(session: LiveSession) -> str:
    return session.playback_url or hls_url_for(session.stream_key)


def rtmp_url() -> str:
    return settings.LIVE_RTMP_URL


def attribution_window() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.LIVE_ATTRIBUTION_HOURS)


def session_product_ids(session: LiveSession) -> list[int]:
    return list(session.session_products.values_list("product_id", flat=True))


@transaction.atomic
def session_go_live(*, stream_key: str) -> LiveSession:
    """The media server started receiving `stream_key`: put its session on air.

    Idempotent for a session already live (a reconnecting encoder). Raises StreamRefused for an
    unknown key or an ended session, so the stream never goes live.
    """
    session = LiveSession.objects.select_for_update().filter(stream_key=stream_key).first()
    if session is None:
        raise StreamRefused(_("Unknown stream key."))
    if session.status == SessionStatus.ENDED:
        if not _may_resume(session):
            raise StreamRefused(_("This session has ended; schedule a new one."))
        # The encoder dropped (a phone losing its signal) and came back: the same session goes on.
        session.status, session.ended_at = SessionStatus.LIVE, None
        session.save(update_fields=["status", "ended_at"])
        broadcast.send_to_room(session.pk, events.status_event(session))
        _products_changed(session)
        return session
    if session.status == SessionStatus.SCHEDULED:
        session.status = SessionStatus.LIVE
        session.started_at = timezone.now()
        session.save(update_fields=["status", "started_at"])
        broadcast.send_to_room(session.pk, events.status_event(session))
        _products_changed(session)
        transaction.on_commit(lambda: reminders_send.delay(session.pk))
    return session


def reconnect_grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.LIVE_RECONNECT_GRACE_SECONDS)


def _may_resume(session: LiveSession) -> bool:
    """A session the stream stopping ended (not the host) comes back if the stream does, soon."""
    return (
        not session.ended_by_host
        and session.ended_at is not None
        and timezone.now() - session.ended_at <= reconnect_grace()
    )


@transaction.atomic
def session_end(*, session: LiveSession, replay_url: str = "", by_host: bool = False) -> LiveSession:
    """Take the session off air (publish done, or the host ended it); idempotent.

    Running offers end with it and give their unsold units back to stock. Ended by the stream
    stopping, it goes on air again if the same stream comes back within
    LIVE_RECONNECT_GRACE_SECONDS; ended by the host, it is over for good.
    """
    session = LiveSession.objects.select_for_update().get(pk=session.pk)
    if session.status == SessionStatus.ENDED:
        changed = []
        if replay_url and session.replay_url != replay_url:
            session.replay_url = replay_url
            changed.append("replay_url")
        if by_host and not session.ended_by_host:
            session.ended_by_host = True
            changed.append("ended_by_host")
        if changed:
            session.save(update_fields=changed)
        return session
    for offer in LiveOffer.objects.filter(session=session, status=OfferStatus.ACTIVE):
        offer_stop(offer=offer)
    now = timezone.now()
    if session.started_at is None:
        session.started_at = now
    session.status = SessionStatus.ENDED
    session.ended_at = now
    session.ended_by_host = by_host
    session.replay_url = replay_url or session.replay_url
    session.save(update_fields=["status", "started_at", "ended_at", "ended_by_host", "replay_url"])
    broadcast.send_to_room(session.pk, events.status_event(session))
    _products_changed(session)
    return session


def _products_changed(session: LiveSession) -> None:
    ids = session_product_ids(session)
    if ids:
        transaction.on_commit(lambda: products_changed.send(sender=LiveSession, product_ids=ids))


def _offset_seconds(session: LiveSession, at: datetime.datetime) -> int:
    if session.started_at is None:
        return 0
    return max(int((at - session.started_at).total_seconds()), 0)


@transaction.atomic
def pin_set(*, session: LiveSession, product: ProductPage | None, actor: AbstractBaseUser | None = None) -> PinEvent:
    """Pin `product` in the room (None clears the pin); kept on the timeline for the replay.

    Raises SessionError when the session has ended or the product is not one it sells.
    """
    if session.status == SessionStatus.ENDED:
        raise SessionError(_("The session has ended."))
    if product is not None and not session.session_products.filter(product=product).exists():
        raise SessionError(_("Add the product to the session before pinning it."))
    now = timezone.now()
    pin = PinEvent.objects.create(session=session, product=product, at=now, offset_seconds=_offset_seconds(session, now))
    broadcast.send_to_room(session.pk, events.pin_event(product))
    return pin


def pinned_product(session: LiveSession) -> ProductPage | None:
    last = session.pins.select_related("product").order_by("-at", "-id").first()
    if last is None or last.product is None:
        return None
    return last.product.specific if not isinstance(last.product, ProductPage) else last.product


def pin_timeline(session: LiveSession) -> list[dict]:
    """The replay's cues: from offset_seconds on, this product card shows (None: no card)."""
    return [
        {"offset_seconds": pin.offset_seconds, "product": events.product_card(pin.product)}
        for pin in session.pins.select_related("product").order_by("at", "id")
    ]


@dataclass(frozen=True)
class Attribution:
    session_id: int
    host_id: int
    host_rate_bp: int


def session_attribution(session: LiveSession, *, now: datetime.datetime | None = None) -> Attribution | None:
    """The attribution a purchase from this room (or its replay) carries now, if any.

    Bought while the session is scheduled or live, or within LIVE_ATTRIBUTION_HOURS after it
    ended: the host earns the commission. Later replay purchases are plain sales.
    """
    now = now or timezone.now()
    if session.status == SessionStatus.ENDED:
        if session.ended_at is None or now > session.ended_at + attribution_window():
            return None
    return Attribution(session_id=session.pk, host_id=session.host_id, host_rate_bp=session.effective_rate_bp)


def live_product_ids() -> set[int]:
    """Products of sessions on air now (the catalogue search boosts them)."""
    return set(
        SessionProduct.objects.filter(session__status=SessionStatus.LIVE).values_list("product_id", flat=True)
    )
