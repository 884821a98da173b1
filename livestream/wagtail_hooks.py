"""Hosts and their sessions in the Wagtail admin: staff set sessions up; hosts sell from the console."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from livestream.models import Host, LiveSession
from shop.money import format_rate


class LinksColumn(Column):
    """Links from a session row to its console, room and report."""

    def get_value(self, instance):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("livestream:room", args=[instance.pk]), _("Room"),
            reverse("livestream:console", args=[instance.pk]), _("Console"),
            reverse("livestream:report", args=[instance.pk]), _("Report"),
        )


class HostViewSet(SnippetViewSet):
    model = Host
    icon = "user"
    list_display = [
        "display_name", "user", "workshop",
        Column(
            "commission_rate_bp", label=_("Commission rate"),
            accessor=lambda host: format_rate(host.commission_rate_bp), sort_key="commission_rate_bp",
        ),
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["display_name"]


class LiveSessionViewSet(SnippetViewSet):
    model = LiveSession
    icon = "media"
    list_display = ["title", "host", "status", "scheduled_start", LinksColumn("links", label=_("Open"))]
    list_filter = ["status", "host"]
    search_fields = ["title"]
    ordering = ["-scheduled_start"]


class LiveViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Live selling")
    menu_icon = "media"
    menu_order = 310
    items = (LiveSessionViewSet, HostViewSet)


register_snippet(LiveViewSetGroup)
