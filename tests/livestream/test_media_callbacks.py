"""The media server's callbacks: who may call them, what a stream key does, and the replay."""

from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from livestream import replays
from livestream.models import LiveSession, SessionStatus

pytestmark = pytest.mark.django_db

TOKEN = "cb-token-for-tests"
LIVE_PLAYLIST = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-TARGETDURATION:2
#EXTINF:2.000,
KEY-0.ts
#EXTINF:2.000,
KEY-1.ts
#EXT-X-DISCONTINUITY
#EXTINF:1.480,
KEY-2.ts
"""


@pytest.fixture
def with_token(settings):
    settings.LIVE_MEDIA_CALLBACK_TOKEN = TOKEN
    settings.LIVE_HLS_BASE_URL = "http://media.example:8080/hls"
    settings.LIVE_HLS_FETCH_BASE_URL = "http://media:8080/hls"


def publish(client, key, *, token=TOKEN, call="publish", name="media-on-publish", **extra):
    url = reverse(f"livestream:{name}") + (f"?token={token}" if token is not None else "")
    return client.post(url, {"call": call, "name": key, "app": "live", "addr": "203.0.113.9"}, **extra)


def publish_done(client, key, **kwargs):
    return publish(client, key, call="publish_done", name="media-on-publish-done", **kwargs)


def fresh(session: LiveSession) -> LiveSession:
    return LiveSession.objects.get(pk=session.pk)


# --- authenticity -----------------------------------------------------------------------------


def test_session_goes_live_when_the_key_and_token_are_right(client, live_session, with_token):
    response = publish(client, live_session.stream_key)

    assert response.status_code == 200
    session = fresh(live_session)
    assert session.status == SessionStatus.LIVE
    assert session.started_at is not None


@pytest.mark.parametrize("token", [None, "", "wrong-token", TOKEN + "x"])
def test_callback_is_refused_when_the_token_is_missing_or_wrong(client, live_session, with_token, token):
    response = publish(client, live_session.stream_key, token=token)

    assert response.status_code == 403
    assert fresh(live_session).status == SessionStatus.SCHEDULED


def test_loopback_callback_is_accepted_when_no_token_is_configured(client, live_session, settings):
    settings.LIVE_MEDIA_CALLBACK_TOKEN = ""

    response = publish(client, live_session.stream_key, token=None, REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    assert fresh(live_session).status == SessionStatus.LIVE


@pytest.mark.parametrize("remote", ["10.0.0.5", "203.0.113.9", "", "not-an-address"])
def test_remote_callback_is_refused_when_no_token_is_configured(client, live_session, settings, remote):
    settings.LIVE_MEDIA_CALLBACK_TOKEN = ""

    response = publish(client, live_session.stream_key, token=None, REMOTE_ADDR=remote)

    assert response.status_code == 403
    assert b"LIVE_MEDIA_CALLBACK_TOKEN" in response.content
    assert fresh(live_session).status == SessionStatus.SCHEDULED


def test_ipv6_loopback_is_accepted_when_no_token_is_configured(client, live_session, settings):
    settings.LIVE_MEDIA_CALLBACK_TOKEN = ""

    assert publish(client, live_session.stream_key, token=None, REMOTE_ADDR="::1").status_code == 200


# --- stream keys ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["no-such-key", "x" * 80, "../../etc/passwd", "key with spaces"])
def test_stream_is_refused_when_the_key_is_not_a_sessions(client, live_session, with_token, key):
    response = publish(client, key)

    assert response.status_code == 403
    assert fresh(live_session).status == SessionStatus.SCHEDULED


def test_stream_is_refused_when_its_session_has_ended(client, live_session, with_token, settings):
    publish(client, live_session.stream_key)
    publish_done(client, live_session.stream_key)
    settings.LIVE_RECONNECT_GRACE_SECONDS = 0  # past the grace for an encoder coming back

    response = publish(client, live_session.stream_key)

    assert response.status_code == 403
    assert fresh(live_session).status == SessionStatus.ENDED


def test_stream_coming_back_within_the_grace_resumes_the_same_session(client, live_session, with_token):
    publish(client, live_session.stream_key)
    started_at = fresh(live_session).started_at
    publish_done(client, live_session.stream_key)
    assert fresh(live_session).status == SessionStatus.ENDED

    response = publish(client, live_session.stream_key)  # the phone found its signal again

    assert response.status_code < 300
    session = fresh(live_session)
    assert (session.status, session.ended_at, session.started_at) == (SessionStatus.LIVE, None, started_at)


def test_a_session_the_host_ended_never_resumes(client, live_session, with_token):
    from livestream.sessions import session_end

    publish(client, live_session.stream_key)
    session_end(session=fresh(live_session), by_host=True)
    publish_done(client, live_session.stream_key)

    assert publish(client, live_session.stream_key).status_code == 403
    assert fresh(live_session).status == SessionStatus.ENDED


def test_reconnecting_encoder_keeps_the_session_live_when_publish_repeats(client, live_session, with_token):
    publish(client, live_session.stream_key)
    started_at = fresh(live_session).started_at

    response = publish(client, live_session.stream_key)

    assert response.status_code == 200
    session = fresh(live_session)
    assert session.status == SessionStatus.LIVE
    assert session.started_at == started_at


# --- bad input --------------------------------------------------------------------------------


def test_callback_answers_405_when_not_posted(client, live_session, with_token):
    url = reverse("livestream:media-on-publish") + f"?token={TOKEN}&name={live_session.stream_key}"

    assert client.get(url).status_code == 405
    assert fresh(live_session).status == SessionStatus.SCHEDULED


def test_callback_answers_400_when_the_stream_key_is_missing(client, with_token):
    url = reverse("livestream:media-on-publish") + f"?token={TOKEN}"

    response = client.post(url, {"call": "publish", "app": "live"})

    assert response.status_code == 400
    assert b"name" in response.content


def test_callback_answers_400_when_the_call_does_not_match_the_address(client, live_session, with_token):
    response = publish(client, live_session.stream_key, call="play")

    assert response.status_code == 400
    assert fresh(live_session).status == SessionStatus.SCHEDULED


def test_callback_is_not_subject_to_csrf(live_session, with_token):
    from django.test import Client

    response = publish(Client(enforce_csrf_checks=True), live_session.stream_key)

    assert response.status_code == 200


# --- publish done and the replay --------------------------------------------------------------


def test_session_ends_with_a_replay_of_public_fragment_addresses_when_the_push_stops(
    client, live_session, with_token, django_capture_on_commit_callbacks
):
    key = live_session.stream_key
    publish(client, key)
    live_text = LIVE_PLAYLIST.replace("KEY", key)

    with mock.patch.object(replays, "_fetch_live_playlist", return_value=live_text) as fetch:
        with django_capture_on_commit_callbacks(execute=True):
            response = publish_done(client, key)

    assert response.status_code == 200
    fetch.assert_called_once_with(f"http://media:8080/hls/{key}.m3u8")
    session = fresh(live_session)
    assert session.status == SessionStatus.ENDED
    assert session.replay_url.endswith(f"live/replays/{key}.m3u8")
    with default_storage.open(replays.replay_name(key)) as saved:
        vod = saved.read().decode()
    assert vod.splitlines()[:2] == ["#EXTM3U", "#EXT-X-PLAYLIST-TYPE:VOD"]
    assert vod.rstrip().endswith("#EXT-X-ENDLIST")
    assert f"http://media.example:8080/hls/{key}-2.ts" in vod.splitlines()
    assert "#EXT-X-DISCONTINUITY" in vod


def test_publish_done_is_idempotent_when_repeated(
    client, live_session, with_token, django_capture_on_commit_callbacks
):
    key = live_session.stream_key
    publish(client, key)
    with mock.patch.object(replays, "_fetch_live_playlist", return_value=LIVE_PLAYLIST.replace("KEY", key)):
        with django_capture_on_commit_callbacks(execute=True):
            publish_done(client, key)
        first = fresh(live_session)
        with django_capture_on_commit_callbacks(execute=True):
            response = publish_done(client, key)

    assert response.status_code == 200
    again = fresh(live_session)
    assert (again.status, again.ended_at, again.replay_url) == (SessionStatus.ENDED, first.ended_at, first.replay_url)


def test_session_ends_without_replay_when_the_media_server_has_no_playlist(
    client, live_session, with_token, django_capture_on_commit_callbacks
):
    publish(client, live_session.stream_key)

    with mock.patch.object(replays, "_fetch_live_playlist", return_value=None):
        with django_capture_on_commit_callbacks(execute=True):
            publish_done(client, live_session.stream_key)

    session = fresh(live_session)
    assert session.status == SessionStatus.ENDED
    assert session.replay_url == ""


def test_callback_still_ends_the_session_when_the_media_server_cannot_be_reached(
    client, live_session, with_token, settings, django_capture_on_commit_callbacks
):
    settings.LIVE_HLS_FETCH_BASE_URL = "http://127.0.0.1:9/hls"  # discard port: nothing listens
    publish(client, live_session.stream_key)

    with django_capture_on_commit_callbacks(execute=True):
        response = publish_done(client, live_session.stream_key)

    assert response.status_code == 200
    session = fresh(live_session)
    assert (session.status, session.replay_url) == (SessionStatus.ENDED, "")


def test_replay_by_hand_is_kept_when_the_task_runs(live_session, with_token):
    from livestream.sessions import session_end

    session = session_end(session=live_session, replay_url="https://cdn.example/replays/edited.m3u8")

    with mock.patch.object(replays, "_fetch_live_playlist") as fetch:
        assert replays.replay_finalise(session=session) == ""

    fetch.assert_not_called()
    assert fresh(session).replay_url == "https://cdn.example/replays/edited.m3u8"


def test_session_stays_scheduled_when_publish_done_comes_without_a_publish(client, live_session, with_token):
    response = publish_done(client, live_session.stream_key)

    assert response.status_code == 200
    assert fresh(live_session).status == SessionStatus.SCHEDULED


def test_publish_done_answers_200_when_the_key_is_unknown(client, with_token):
    assert publish_done(client, "no-such-key").status_code == 200


def test_record_done_is_acknowledged_only_when_authentic(client, live_session, with_token):
    ok = publish(client, live_session.stream_key, call="record_done", name="media-on-record-done")
    refused = publish(client, live_session.stream_key, call="record_done", name="media-on-record-done", token="no")

    assert (ok.status_code, refused.status_code) == (204, 403)
    assert fresh(live_session).status == SessionStatus.SCHEDULED


# --- the playlist itself ----------------------------------------------------------------------


def test_replay_playlist_resolves_fragments_and_keys_against_the_live_address():
    text = '#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="k/1.key"\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXTINF:2.0,\na-0.ts\n'

    vod = replays.replay_playlist(text, base_url="http://m.example/hls/a.m3u8").splitlines()

    assert vod == [
        "#EXTM3U",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        '#EXT-X-KEY:METHOD=AES-128,URI="http://m.example/hls/k/1.key"',
        "#EXTINF:2.0,",
        "http://m.example/hls/a-0.ts",
        "#EXT-X-ENDLIST",
    ]


@pytest.mark.parametrize("text", ["", "<html>502</html>", "#EXTM3U\n#EXT-X-VERSION:3\n"])
def test_replay_playlist_raises_when_the_text_is_no_playlist_with_fragments(text):
    with pytest.raises(ValueError):
        replays.replay_playlist(text, base_url="http://m.example/hls/a.m3u8")


# --- the media server's configuration ---------------------------------------------------------


def test_media_server_config_fills_every_placeholder_from_settings(settings, tmp_path):
    from django.core.management import call_command

    settings.LIVE_RTMP_URL = "rtmp://live.example:19350/live"
    settings.LIVE_HLS_BASE_URL = "https://cdn.example:18080/streams/hls"
    settings.LIVE_MEDIA_CALLBACK_TOKEN = "tok/en+1"
    out = tmp_path / "nginx.conf"

    call_command("media_server_config", "--callback-base", "http://web:8000/", "-o", str(out))

    text = out.read_text()
    assert "${MEDIA_" not in text
    assert "listen 19350;" in text and "listen 18080;" in text
    assert "location /streams/hls/ {" in text
    assert "on_publish http://web:8000/live/media/on_publish?token=tok%2Fen%2B1;" in text
    assert "on_publish_done http://web:8000/live/media/on_publish_done?token=tok%2Fen%2B1;" in text
    assert "hls_cleanup off;" in text
    assert "$request_method" in text  # nginx's own variables are left alone


def test_media_server_config_has_no_token_in_urls_when_none_is_set(settings):
    from livestream.management.commands.media_server_config import render_media_server_config

    text = render_media_server_config(
        rtmp_port=1935, http_port=8080, hls_dir="/srv/hls", hls_location="/hls", run_dir="/srv/run",
        callback_base="http://127.0.0.1:8000",
    )

    assert "on_publish http://127.0.0.1:8000/live/media/on_publish;" in text


@pytest.mark.parametrize(
    "override",
    [{"hls_dir": "relative/hls"}, {"hls_dir": "/srv/h ls;"}, {"callback_base": "https://shop.example"},
     {"cors_origin": 'x" always; evil'}, {"hls_location": "/"}],
)
def test_media_server_config_refuses_values_nginx_would_misread(override):
    from django.core.management import CommandError

    from livestream.management.commands.media_server_config import render_media_server_config

    values = dict(rtmp_port=1935, http_port=8080, hls_dir="/srv/hls", hls_location="/hls", run_dir="/srv/run",
                  callback_base="http://127.0.0.1:8000") | override
    with pytest.raises(CommandError):
        render_media_server_config(**values)
