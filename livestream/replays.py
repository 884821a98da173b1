"""A session's replay: the media server's live playlist closed for good once the push ends.

The media server keeps every HLS fragment and lists them all in the stream's playlist; the
replay is that playlist marked VOD, ended with #EXT-X-ENDLIST, its fragment addresses made
absolute, and saved to the default storage.
"""

import logging
import re
import urllib.error
import urllib.request
from urllib.parse import urljoin

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from livestream import sessions
from livestream.models import LiveSession, SessionStatus

logger = logging.getLogger(__name__)

REPLAY_DIR = "live/replays"
PLAYLIST_FETCH_TIMEOUT = 10


class ReplayNotReady(Exception):
    """The stream's playlist could not be read yet (media server down or slow); retry later."""


def replay_playlist(live_playlist: str, *, base_url: str) -> str:
    """The live playlist closed as a VOD: every fragment, absolute addresses, and an end.

    Pure: `base_url` is the live playlist's own address, against which relative fragment (and
    key) addresses are resolved. Raises ValueError when the text is not an HLS media playlist
    or lists no fragment.
    """
    lines = [line.strip() for line in live_playlist.splitlines() if line.strip()]
    if not lines or lines[0] != "#EXTM3U":
        raise ValueError("Not an HLS playlist (no #EXTM3U header).")
    out: list[str] = []
    fragments = 0
    for line in lines:
        if line.startswith("#EXT-X-PLAYLIST-TYPE") or line == "#EXT-X-ENDLIST":
            continue  # set once below, whatever the live playlist said
        if line.startswith("#EXT-X-KEY:") and 'URI="' in line:
            line = re.sub(r'URI="([^"]*)"', lambda m: f'URI="{urljoin(base_url, m.group(1))}"', line)
        elif not line.startswith("#"):
            line = urljoin(base_url, line)
            fragments += 1
        out.append(line)
        if line == "#EXTM3U":
            out.append("#EXT-X-PLAYLIST-TYPE:VOD")
    if fragments == 0:
        raise ValueError("The playlist lists no fragment.")
    out.append("#EXT-X-ENDLIST")
    return "\n".join(out) + "\n"


def _fetch_live_playlist(url: str) -> str | None:
    """The live playlist's text; None when the media server has none for this stream."""
    try:
        with urllib.request.urlopen(url, timeout=PLAYLIST_FETCH_TIMEOUT) as response:  # noqa: S310 - our URL
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise ReplayNotReady(f"{url} answered {error.code}.") from error
    except (urllib.error.URLError, OSError) as error:
        raise ReplayNotReady(f"{url} could not be read: {error}.") from error


def replay_name(stream_key: str) -> str:
    return f"{REPLAY_DIR}/{stream_key}.m3u8"


def replay_finalise(*, session: LiveSession) -> str:
    """Save the ended session's replay playlist and set session.replay_url; idempotent.

    Returns the replay URL, or "" when there is nothing to replay (the session is not ended,
    has a replay URL set by hand, or the media server has no playlist for its key). Raises
    ReplayNotReady when the media server cannot be reached (the task retries).
    """
    if session.status != SessionStatus.ENDED or not sessions.stream_key_valid(session.stream_key):
        return ""
    if session.replay_url and not session.replay_url.endswith(replay_name(session.stream_key)):
        return ""  # an editor's own replay address wins
    live_url = sessions.hls_url_for(session.stream_key)
    fetch_url = f"{settings.LIVE_HLS_FETCH_BASE_URL.rstrip('/')}/{session.stream_key}.m3u8"
    text = _fetch_live_playlist(fetch_url)
    if text is None:
        logger.info("No HLS playlist at %s: session %s has no replay.", fetch_url, session.pk)
        return ""
    try:
        vod = replay_playlist(text, base_url=live_url)
    except ValueError as error:
        logger.warning("Session %s has no replay: %s (%s)", session.pk, error, live_url)
        return ""
    name = replay_name(session.stream_key)
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(vod.encode("utf-8")))
    url = default_storage.url(saved)
    sessions.session_end(session=session, replay_url=url)
    return url
