"""Start reminders: viewers ask to be told when a scheduled session goes live."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from livestream.models import LiveSession, Reminder, SessionStatus


class ReminderError(Exception):
    """The reminder cannot be set; the message says why."""


def reminder_request(*, session: LiveSession, email: str, user=None) -> Reminder:
    """Ask for an email when `session` starts; asking twice keeps one reminder.

    Raises ReminderError for a session that is already live or over, or an empty email.
    """
    email = (email or "").strip().lower()
    if not email:
        raise ReminderError(_("Give an email address for the reminder."))
    if session.status != SessionStatus.SCHEDULED:
        raise ReminderError(_("This session is not waiting to start."))
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                session=session, email=email, user=user if user is not None and user.is_authenticated else None
            )
    except IntegrityError:
        return Reminder.objects.get(session=session, email=email)


def reminders_send(*, session: LiveSession) -> int:
    """Email everyone waiting for `session`; each reminder is sent at most once. Returns how many."""
    room = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("livestream:room", args=[session.pk])
    sent = 0
    for reminder in Reminder.objects.filter(session=session, sent_at__isnull=True):
        # Claim the reminder first, so two workers never both send it.
        if not Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=timezone.now()):
            continue
        send_mail(
            _("%(title)s is live now") % {"title": session.title},
            _("%(host)s is live: %(title)s\nWatch and buy: %(url)s")
            % {"host": session.host.display_name, "title": session.title, "url": room},
            settings.DEFAULT_FROM_EMAIL,
            [reminder.email],
        )
        sent += 1
    return sent
