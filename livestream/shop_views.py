"""Buying from the room, start reminders and the session report."""

from django.http import Http404


def room_buy(request, pk):
    raise Http404


def reminder_create(request, pk):
    raise Http404


def report(request, pk):
    raise Http404


def report_csv(request, pk):
    raise Http404
