"""A real media server: nginx-rtmp with the rendered configuration, ffmpeg pushing, this app deciding.

nginx runs from a temporary prefix on free ports and calls back to the live test server; ffmpeg
pushes a short test pattern. A session's own key goes live, is served as HLS while pushing, and
ends with a replay; any other key is refused before anything is written.
"""

import datetime
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from livestream import replays
from livestream.management.commands.media_server_config import RTMP_MODULE, render_media_server_config
from livestream.models import Host, LiveSession, SessionStatus
from tests.conftest import require

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "media-server-test-token"
PUSH_SECONDS = 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""
    except OSError:  # not listening (yet)
        return 0, {}, b""


def _wait_for(predicate, *, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def media_server(live_server, tmp_path_factory):
    """nginx with the RTMP module, configured by media_server_config, calling back to live_server."""
    require(bool(shutil.which("nginx")), "nginx is not installed (apt-get install nginx libnginx-mod-rtmp)")
    require(os.path.exists(RTMP_MODULE), f"{RTMP_MODULE} is missing (apt-get install libnginx-mod-rtmp)")
    require(bool(shutil.which("ffmpeg")), "ffmpeg is not installed (apt-get install ffmpeg)")
    prefix = tmp_path_factory.mktemp("media-server")
    hls_dir, run_dir = prefix / "hls", prefix / "run"
    hls_dir.mkdir()
    run_dir.mkdir()
    rtmp_port, http_port = _free_port(), _free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(
        render_media_server_config(
            rtmp_port=rtmp_port,
            http_port=http_port,
            hls_dir=str(hls_dir),
            hls_location="/hls",
            run_dir=str(run_dir),
            callback_base=live_server.url,
            token=TOKEN,
            # Started as root, nginx would hand its worker to `nobody`, who cannot write here.
            user="root" if os.geteuid() == 0 else "",
            error_log=str(prefix / "error.log"),
        )
    )
    process = subprocess.Popen(
        ["nginx", "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    server = {
        "rtmp": f"rtmp://127.0.0.1:{rtmp_port}/live",
        "hls_base": f"http://127.0.0.1:{http_port}/hls",
        "hls_dir": hls_dir,
        "error_log": prefix / "error.log",
    }
    try:
        _wait_for(
            lambda: process.poll() is not None or _get(f"http://127.0.0.1:{http_port}/healthz")[0] == 200,
            timeout=10, what="nginx to answer",
        )
        if process.poll() is not None:
            pytest.fail(f"nginx did not start: {process.stderr.read().decode(errors='replace')}")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def media_settings(settings, media_server, monkeypatch):
    settings.LIVE_MEDIA_CALLBACK_TOKEN = TOKEN
    settings.LIVE_HLS_BASE_URL = media_server["hls_base"]
    settings.LIVE_HLS_FETCH_BASE_URL = media_server["hls_base"]
    settings.LIVE_RTMP_URL = media_server["rtmp"]
    # The replay task runs in the callback's thread, whatever broker the environment names.
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    return media_server


@pytest.fixture
def session(django_user_model) -> LiveSession:
    user = django_user_model.objects.create_user("media-host", "media-host@example.com", "pw-for-tests-only")
    host = Host.objects.create(user=user, display_name="赶海阿嫂")
    return LiveSession.objects.create(
        host=host, title="赶海直播", scheduled_start=timezone.now() + datetime.timedelta(minutes=1)
    )


def _push(rtmp_base: str, key: str, seconds: int) -> subprocess.Popen:
    # A keyframe every 2 s (-g 50 at 25 fps) so the first fragment closes early.
    return subprocess.Popen(
        [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
            "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", str(seconds),
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
            "-c:a", "aac", "-b:a", "64k",
            "-f", "flv", f"{rtmp_base}/{key}",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _status(session: LiveSession) -> LiveSession:
    return LiveSession.objects.get(pk=session.pk)


def test_pushed_stream_goes_live_is_served_as_hls_and_ends_with_a_replay(media_settings, session):
    key = session.stream_key
    playlist_url = f"{media_settings['hls_base']}/{key}.m3u8"

    # when the encoder pushes the session's key
    encoder = _push(media_settings["rtmp"], key, PUSH_SECONDS)
    try:
        # then the session is on air
        assert _wait_for(lambda: _status(session).status == SessionStatus.LIVE, timeout=8, what="the session live")
        # and nginx serves its playlist while the push goes on
        status, headers, body = _wait_for(
            lambda: (r := _get(playlist_url))[0] == 200 and b"#EXTINF" in r[2] and r,
            timeout=8, what=f"the live playlist at {playlist_url}",
        )
        assert encoder.poll() is None, "the playlist must be served while the encoder is still pushing"
        assert headers["Content-Type"] == "application/vnd.apple.mpegurl"
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert headers["Cache-Control"] == "no-cache"
        assert b"#EXT-X-ENDLIST" not in body
        fragment = next(line for line in body.decode().splitlines() if line.endswith(".ts"))
        fragment_status, fragment_headers, fragment_body = _get(f"{media_settings['hls_base']}/{fragment}")
        assert (fragment_status, fragment_headers["Content-Type"]) == (200, "video/mp2t")
        assert fragment_body[:1] == b"G"  # an MPEG-TS sync byte
    finally:
        _, errors = encoder.communicate(timeout=PUSH_SECONDS + 15)
    assert encoder.returncode == 0, errors.decode(errors="replace")

    # when the push has ended: the session is over and its replay is the whole stream as VOD
    ended = _wait_for(
        lambda: (s := _status(session)).status == SessionStatus.ENDED and s.replay_url and s,
        timeout=10, what="the session to end with a replay URL",
    )
    assert ended.ended_at is not None
    assert ended.replay_url == default_storage.url(replays.replay_name(key))
    with default_storage.open(replays.replay_name(key)) as saved:
        vod = saved.read().decode()
    lines = vod.splitlines()
    assert lines[:2] == ["#EXTM3U", "#EXT-X-PLAYLIST-TYPE:VOD"]
    assert lines[-1] == "#EXT-X-ENDLIST"
    duration = sum(float(m) for m in re.findall(r"#EXTINF:([\d.]+),", vod))
    assert PUSH_SECONDS - 2.5 <= duration <= PUSH_SECONDS + 2.5, vod
    fragments = [line for line in lines if not line.startswith("#")]
    assert all(url.startswith(f"{media_settings['hls_base']}/{key}-") for url in fragments), vod
    for url in (fragments[0], fragments[-1]):
        assert _get(url)[0] == 200, f"replay fragment {url} is not served"


def test_stream_is_refused_and_nothing_is_published_when_the_key_is_wrong(media_settings, session):
    wrong_key = "not-a-session-key"

    encoder = _push(media_settings["rtmp"], wrong_key, PUSH_SECONDS)
    try:
        encoder.wait(timeout=PUSH_SECONDS)
    except subprocess.TimeoutExpired:
        encoder.kill()
        encoder.wait()
        pytest.fail("ffmpeg kept pushing a stream key the app refused")

    assert encoder.returncode != 0
    assert _status(session).status == SessionStatus.SCHEDULED
    assert _get(f"{media_settings['hls_base']}/{wrong_key}.m3u8")[0] == 404
    assert not list(Path(media_settings["hls_dir"]).glob(f"{wrong_key}*"))
