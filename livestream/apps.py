from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivestreamConfig(AppConfig):
    """Live sessions, hosts, live offers and the real-time layer."""

    name = "livestream"
    verbose_name = _("Live selling")
