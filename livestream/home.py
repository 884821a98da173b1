"""Live selling's section of the home page (the CMS_HOME_SECTIONS hook)."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from livestream.selectors import sessions_live_now, sessions_upcoming


def live_sessions_section(request: HttpRequest) -> str:
    """The home page's strip of sessions on air now and coming up ("" when there are none)."""
    live = list(sessions_live_now()[:4])
    upcoming = list(sessions_upcoming()[:4])
    if not live and not upcoming:
        return ""
    return render_to_string("livestream/_home_sessions.html", {"live": live, "upcoming": upcoming}, request=request)
