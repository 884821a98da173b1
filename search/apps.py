from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """The catalogue search index and its backends."""

    name = "search"
    label = "catalogue_search"
    verbose_name = _("Catalogue search")
