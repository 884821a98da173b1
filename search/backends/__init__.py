"""Search backends, chosen by settings.SEARCH_BACKEND ("embedded" or "elasticsearch")."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from search.backends.base import SearchBackend

_BACKENDS = {
    "embedded": "search.backends.embedded.EmbeddedBackend",
    "elasticsearch": "search.backends.elastic.ElasticsearchBackend",
}


def get_backend(name: str | None = None) -> SearchBackend:
    """The configured backend (a new, cheap object; connections are opened per call or cached)."""
    name = name or settings.SEARCH_BACKEND
    if name not in _BACKENDS:
        raise ImproperlyConfigured(f"SEARCH_BACKEND must be one of {sorted(_BACKENDS)}, not {name!r}.")
    return import_string(_BACKENDS[name])()
