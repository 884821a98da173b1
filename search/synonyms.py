"""The staff-edited synonym list as a variant → term map, cached until a synonym changes."""

from django.core.cache import cache

from search.analysis import normalize
from search.models import Synonym

CACHE_KEY = "catalogue_search:synonyms:v1"
CACHE_SECONDS = 300


def synonym_map() -> dict[str, str]:
    """{variant: term}, normalised (lower case, half-width); longest variants first, so that
    "长街蛏子" is replaced before "蛏子"."""
    mapping = cache.get(CACHE_KEY)
    if mapping is None:
        pairs = [(variant, normalize(s.term).strip()) for s in Synonym.objects.all() for variant in s.variant_list]
        mapping = dict(sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0])))
        cache.set(CACHE_KEY, mapping, CACHE_SECONDS)
    return mapping


def synonym_map_clear() -> None:
    cache.delete(CACHE_KEY)
