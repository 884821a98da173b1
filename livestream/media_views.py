"""Callbacks from the media server (nginx-rtmp): stream-key checks and status flips."""

from django.http import Http404


def on_publish(request):
    raise Http404


def on_publish_done(request):
    raise Http404


def on_record_done(request):
    raise Http404
