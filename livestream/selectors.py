"""Reads of live selling: who is on air, what is coming up, what can be replayed."""

import datetime

from django.conf import settings
from django.db.models import Max, Q, QuerySet
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


def host_rate_max_bp() -> int:
    """The largest commission that can still be booked on a line: any host's own rate, or a
    session's override while lines can still be attributed to it (not ended, or ended within
    the attribution window)."""
    since = timezone.now() - datetime.timedelta(hours=settings.LIVE_ATTRIBUTION_HOURS)
    attributable = LiveSession.objects.filter(~Q(status=SessionStatus.ENDED) | Q(ended_at__gte=since))
    rates = [
        Host.objects.aggregate(top=Max("commission_rate_bp"))["top"],
        attributable.aggregate(top=Max("commission_rate_bp"))["top"],
    ]
    return max((rate for rate in rates if rate is not None), default=0)
