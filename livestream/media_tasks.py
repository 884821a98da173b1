"""Celery task of the media side: build a session's replay once its stream has stopped."""

from celery import shared_task

from livestream import replays
from livestream.models import LiveSession


@shared_task(autoretry_for=(replays.ReplayNotReady,), retry_backoff=True, max_retries=8)
def replay_finalise(session_id: int) -> str:
    """Thin shell over replays.replay_finalise; safe to run twice."""
    session = LiveSession.objects.filter(pk=session_id).first()
    return replays.replay_finalise(session=session) if session else ""
