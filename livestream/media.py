"""The media server's side of a session: authentic callbacks and publish start/stop.

nginx-rtmp calls back when an encoder starts and stops pushing a stream key. A callback is
authentic when its URL carries `?token=` equal to settings.LIVE_MEDIA_CALLBACK_TOKEN, or, with
no token configured, when it comes from the loopback address (media server on the same host).

The media server keeps every HLS fragment of a stream (`hls_cleanup off`) and lists them all in
the stream's playlist (a `hls_playlist_length` longer than any session). When the push ends, a
task builds the replay from it (livestream.replays). See deploy/README.md.
"""

import hmac
import ipaddress
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from livestream import sessions
from livestream.media_tasks import replay_finalise
from livestream.models import LiveSession, SessionStatus

logger = logging.getLogger(__name__)


class CallbackRejected(Exception):
    """The callback is not from our media server; the message says what to configure."""


def callback_authenticate(request: HttpRequest) -> None:
    """Raise CallbackRejected unless the callback carries our token (or, with none set, is local).

    The token is compared in constant time. Without LIVE_MEDIA_CALLBACK_TOKEN only the loopback
    address is trusted, so a media server on another host needs the token.
    """
    expected = settings.LIVE_MEDIA_CALLBACK_TOKEN
    if expected:
        given = request.GET.get("token", "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise CallbackRejected("Wrong or missing ?token= in the media server's callback URL.")
        return
    try:
        remote = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        remote = None
    if remote is None or not remote.is_loopback:
        raise CallbackRejected(
            "Callbacks from another host need LIVE_MEDIA_CALLBACK_TOKEN set here and ?token= in the "
            "media server's callback URLs (python manage.py media_server_config)."
        )


def stream_started(*, stream_key: str) -> LiveSession:
    """The encoder started pushing: put the session on air (idempotent for a reconnect).

    Raises sessions.StreamRefused for an unknown key or an ended session.
    """
    if not sessions.stream_key_valid(stream_key):
        raise sessions.StreamRefused(_("Unknown stream key."))
    return sessions.session_go_live(stream_key=stream_key)


def stream_stopped(*, stream_key: str) -> LiveSession | None:
    """The push ended: end the session and, once that is committed, build its replay.

    Idempotent: a repeated callback finds the session ended and only re-queues the replay, which
    is itself safe to run twice. A session that never went on air is left scheduled. Returns
    None for a key that is not a session's.
    """
    if not sessions.stream_key_valid(stream_key):
        return None
    with transaction.atomic():
        session = LiveSession.objects.filter(stream_key=stream_key).first()
        if session is None or session.status == SessionStatus.SCHEDULED:
            return session
        session = sessions.session_end(session=session)
        session_id = session.pk
        # robust: a media server that cannot be reached must not fail the callback (the task retries).
        transaction.on_commit(lambda: replay_finalise.delay(session_id), robust=True)
    return session
