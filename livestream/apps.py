from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivestreamConfig(AppConfig):
    """Live sessions, hosts, live offers and the real-time layer."""

    name = "livestream"
    verbose_name = _("Live selling")

    def ready(self) -> None:
        from livestream import receivers  # noqa: F401 - hears orders being paid (sales ticker)
