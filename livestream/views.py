"""Pages of live selling: the session list, the live room (and replay) and the host console.

The pages draw the room as it is now and hand the same snapshot the socket sends to the
room's script, which keeps it current from then on.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from livestream import presence, reports, sessions
from livestream.models import LiveSession, SessionStatus


def _sessions():
    return LiveSession.objects.select_related("host", "cover")


def session_list(request):
    now = timezone.now()
    context = {
        "live": list(_sessions().filter(status=SessionStatus.LIVE).order_by("-started_at")),
        "upcoming": list(
            _sessions().filter(status=SessionStatus.SCHEDULED).order_by("scheduled_start")
        ),
        "replays": list(_sessions().filter(status=SessionStatus.ENDED).order_by("-ended_at")[:20]),
        "now": now,
    }
    return render(request, "livestream/session_list.html", context)


def room(request, pk: int):
    session = get_object_or_404(_sessions(), pk=pk)
    state = presence.room_state(session)
    return render(request, "livestream/room.html", {"session": session, "state": state})


@login_required
def console(request, pk: int):
    session = get_object_or_404(_sessions(), pk=pk)
    if session.host.user_id != request.user.pk:
        raise PermissionDenied
    products = [sp.product.specific for sp in session.session_products.select_related("product").order_by("sort_order")]
    context = {
        "session": session,
        "state": presence.room_state(session, for_host=True),
        "stats": reports.session_stats(session),
        "products": products,
        "rtmp_url": sessions.rtmp_url(),
    }
    return render(request, "livestream/console.html", context)
