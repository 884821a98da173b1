"""Celery tasks: thin shells over the services of the same name; safe to run twice."""

from celery import shared_task

from livestream import offers, reminders
from livestream.models import LiveSession


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def reminders_send(session_id: int) -> int:
    session = LiveSession.objects.select_related("host").filter(pk=session_id).first()
    return reminders.reminders_send(session=session) if session else 0


@shared_task
def offer_stop_due() -> int:
    return offers.offer_stop_due()
