"""Reads of live selling: who is on air, what is coming up, what can be replayed."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from livestream.models import Host, LiveSession, SessionStatus


def _sessions() -> QuerySet[LiveSession]:
    return LiveSession.objects.select_related("host", "cover")


def sessions_live_now() -> QuerySet[LiveSession]:
    return _sessions().filter(status=SessionStatus.LIVE).order_by("-started_at")


def sessions_upcoming(*, within: datetime.timedelta = datetime.timedelta(days=14)) -> QuerySet[LiveSession]:
    """Scheduled sessions from an hour ago (a late start) to `within` ahead, soonest first."""
    now = timezone.now()
    return _sessions().filter(
        status=SessionStatus.SCHEDULED,
        scheduled_start__gte=now - datetime.timedelta(hours=1),
        scheduled_start__lte=now + within,
    ).order_by("scheduled_start")


def host_names(host_ids: set[int]) -> dict[int, str]:
    """Display names of hosts by id: statements and exports name hosts through this."""
    return dict(Host.objects.filter(pk__in=host_ids).values_list("pk", "display_name"))
