"""Callbacks from the media server (nginx-rtmp): stream-key checks and status flips.

nginx-rtmp POSTs form fields (call, name=<stream key>, app, addr, tcurl, …). Any answer but 2xx
to on_publish makes it drop the encoder, so a wrong key never goes on air. The views only check
the callback and the form, then call livestream.media.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from livestream import media
from livestream.sessions import StreamRefused


def _text(status: int, message: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _stream_key(request: HttpRequest, call: str) -> tuple[str | None, HttpResponse | None]:
    """The stream key of an authentic callback, or the response refusing it."""
    try:
        media.callback_authenticate(request)
    except media.CallbackRejected as error:
        return None, _text(403, str(error))
    given_call = request.POST.get("call", call)
    if given_call != call:
        return None, _text(400, f"This address takes call={call}, not call={given_call}.")
    key = request.POST.get("name", "").strip()
    if not key:
        return None, _text(400, "The stream key (form field 'name') is missing.")
    return key, None


@csrf_exempt
@require_POST
def on_publish(request: HttpRequest) -> HttpResponse:
    key, refusal = _stream_key(request, "publish")
    if refusal:
        return refusal
    try:
        session = media.stream_started(stream_key=key)
    except StreamRefused as error:
        return _text(403, str(error))
    return _text(200, f"session {session.pk} live")


@csrf_exempt
@require_POST
def on_publish_done(request: HttpRequest) -> HttpResponse:
    key, refusal = _stream_key(request, "publish_done")
    if refusal:
        return refusal
    session = media.stream_stopped(stream_key=key)
    # nginx ignores this answer; it says what happened for whoever reads nginx's log.
    return _text(200, f"session {session.pk}: {session.status}" if session else "no session for this key")


@csrf_exempt
@require_POST
def on_record_done(request: HttpRequest) -> HttpResponse:
    """Acknowledged only: replays are built from the HLS fragments, not from recordings."""
    key, refusal = _stream_key(request, "record_done")
    if refusal:
        return refusal
    return HttpResponse(status=204)
