"""Chat in the live room: posting, the host's moderation (remove, mute) and the rate limit.

Bodies are stored as typed; what goes out to sockets is HTML-escaped once, in events.py, so
every page can insert it as markup without a second thought.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from livestream import broadcast, events
from livestream.models import Comment, LiveSession, Mute, SessionStatus

BODY_MAX = 200
HISTORY = 50


class ChatError(Exception):
    """A chat action refused; `code` is machine-readable, the message says what to do."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def author_name(user: AbstractBaseUser) -> str:
    """The name shown beside a comment: the first name when given, else the username."""
    return (getattr(user, "first_name", "") or user.get_username())[:60]


def _rate_allows(*, session_id: int, user_id: int) -> bool:
    """At most LIVE_CHAT_RATE comments per LIVE_CHAT_WINDOW_SECONDS per user and session.

    A fixed window counted in the shared cache (Redis in the full stack), so the limit holds
    however many ASGI processes the viewer's reconnects land on.
    """
    window = settings.LIVE_CHAT_WINDOW_SECONDS
    bucket = int(timezone.now().timestamp()) // window
    key = f"live:chat-rate:{session_id}:{user_id}:{bucket}"
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:
        # Evicted between add and incr: count this one as the first.
        cache.set(key, 1, timeout=window * 2)
        count = 1
    return count <= settings.LIVE_CHAT_RATE


def is_muted(*, session: LiveSession, user_id: int) -> bool:
    return Mute.objects.filter(session=session, user_id=user_id).exists()


def comment_post(*, session: LiveSession, user: AbstractBaseUser | None, body: str) -> Comment:
    """Post `body` in the room as `user` and push it to everyone there.

    Raises ChatError: "login_required" (anonymous), "ended" (session over), "muted",
    "invalid" (empty or longer than 200 characters after trimming), "rate_limited".
    """
    if user is None or not user.is_authenticated:
        raise ChatError("login_required", _("Log in to join the chat."))
    if session.status == SessionStatus.ENDED:
        raise ChatError("ended", _("The session has ended; the chat is closed."))
    body = (body or "").strip()
    if not body or len(body) > BODY_MAX:
        raise ChatError("invalid", _("Write between 1 and %(n)s characters.") % {"n": BODY_MAX})
    if is_muted(session=session, user_id=user.pk):
        raise ChatError("muted", _("The host has muted you in this session."))
    if not _rate_allows(session_id=session.pk, user_id=user.pk):
        raise ChatError("rate_limited", _("You are sending messages too fast; wait a few seconds."))
    with transaction.atomic():
        comment = Comment.objects.create(session=session, user=user, author_name=author_name(user), body=body)
        broadcast.send_to_room(session.pk, events.comment_event(comment))
    return comment


def _require_host(session: LiveSession, actor: AbstractBaseUser) -> None:
    if actor is None or not actor.is_authenticated or session.host.user_id != actor.pk:
        raise ChatError("forbidden", _("Only the session's host can moderate its chat."))


@transaction.atomic
def comment_remove(*, session: LiveSession, comment_id: int, actor: AbstractBaseUser) -> Comment:
    """Hide a comment from the room (kept, marked removed, for the record); idempotent.

    Raises ChatError "forbidden" unless `actor` hosts the session, "not_found" for a comment
    of another session.
    """
    _require_host(session, actor)
    comment = Comment.objects.select_for_update().filter(session=session, pk=comment_id).first()
    if comment is None:
        raise ChatError("not_found", _("That comment is not in this session."))
    if comment.removed_at is None:
        comment.removed_at, comment.removed_by = timezone.now(), actor
        comment.save(update_fields=["removed_at", "removed_by"])
        broadcast.send_to_room(session.pk, events.comment_removed_event(comment.pk))
    return comment


def viewer_mute(*, session: LiveSession, user_id: int, actor: AbstractBaseUser) -> Mute:
    """Stop `user_id` commenting in this session; their earlier comments stay. Idempotent.

    Raises ChatError "forbidden" unless `actor` hosts the session, "invalid" for the host
    muting themselves.
    """
    _require_host(session, actor)
    if user_id == actor.pk:
        raise ChatError("invalid", _("You cannot mute yourself."))
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise ChatError("not_found", _("No such viewer."))
    try:
        with transaction.atomic():
            return Mute.objects.create(session=session, user_id=user_id, muted_by=actor)
    except IntegrityError:
        return Mute.objects.get(session=session, user_id=user_id)


def comments_recent(session: LiveSession, *, limit: int = HISTORY) -> list[Comment]:
    """The last `limit` comments not removed, oldest first."""
    latest = list(session.comments.filter(removed_at__isnull=True).order_by("-created_at", "-id")[:limit])
    latest.reverse()
    return latest
