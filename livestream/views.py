"""Pages of live selling: the session list, the live room (and replay) and the host console."""

from django.http import Http404


def session_list(request):
    raise Http404


def room(request, pk):
    raise Http404


def console(request, pk):
    raise Http404
