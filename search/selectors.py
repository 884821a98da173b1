"""Reads of the catalogue search: the only entry points views and the API call."""

from collections.abc import Mapping

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from search.analysis import query_clauses, title_key
from search.backends import get_backend
from search.facets import FACET_NAMES
from search.query import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, SORTS, SearchRequest, SearchResults, Suggestion
from search.synonyms import synonym_map

SUGGEST_LIMIT = 8


def search_request_build(
    *,
    query: str = "",
    filters: Mapping[str, list[str] | tuple[str, ...]] | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    completing: bool = False,
) -> SearchRequest:
    """A SearchRequest with the query cut into clauses and synonyms applied.

    Unknown facets and empty values are dropped; sort, page and page size are clamped to what
    is allowed rather than refused (the API validates them before calling).
    """
    clean_filters = {
        name: tuple(dict.fromkeys(str(v) for v in values if str(v).strip()))
        for name, values in (filters or {}).items()
        if name in FACET_NAMES
    }
    synonyms = synonym_map()
    key = title_key(query)
    exact_titles = [key] + [key.replace(variant, term) for variant, term in synonyms.items() if variant in key]
    return SearchRequest(
        query=query,
        exact_titles=tuple(dict.fromkeys(exact_titles)),
        clauses=tuple(query_clauses(query, synonyms=synonyms, prefix_last=completing)),
        filters={name: values for name, values in clean_filters.items() if values},
        sort=sort if sort in SORTS else "relevance",
        page=max(1, int(page)),
        page_size=min(max(1, int(page_size)), MAX_PAGE_SIZE),
    )


def product_search(
    *,
    query: str = "",
    filters: Mapping[str, list[str] | tuple[str, ...]] | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> SearchResults:
    """One page of products matching the query and filters, with facet counts and highlights."""
    request = search_request_build(query=query, filters=filters, sort=sort, page=page, page_size=page_size)
    return get_backend().search(request)


def product_suggest(*, query: str, limit: int = SUGGEST_LIMIT) -> list[Suggestion]:
    """Product names completing a partly typed query (Chinese, pinyin or initials)."""
    if not query.strip():
        return []
    return get_backend().suggest(search_request_build(query=query, completing=True), limit=limit)


FACET_TITLES = {
    "category": _("Category"),
    "township": _("Township"),
    "village": _("Village"),
    "cooperative": _("Cooperative"),
    "price_band": _("Price"),
    "in_stock": _("Stock"),
    "live_now": _("Live"),
}
SORT_LABELS = {
    "relevance": _("Best match"),
    "price_asc": _("Price: low to high"),
    "price_desc": _("Price: high to low"),
    "sales": _("Best selling"),
    "newest": _("Newest"),
}


def _toggled(params: QueryDict, name: str, value: str) -> str:
    """The query string with one facet value switched on or off (and back to page 1)."""
    copy = params.copy()
    values = copy.getlist(name)
    copy.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
    copy.pop("page", None)
    return copy.urlencode()


def search_page_context(
    *, query: str, filters: Mapping[str, list[str]], sort: str, results: SearchResults, params: QueryDict
) -> dict:
    """What the search page template shows: results, facets with their toggle links, sorts, pages."""
    facets = [
        {
            "name": name,
            "title": FACET_TITLES[name],
            "values": [
                {"value": v.value, "label": v.label, "count": v.count, "active": v.value in filters.get(name, []),
                 "query": _toggled(params, name, v.value)}
                for v in results.facets.get(name, [])
            ],
        }
        for name in FACET_NAMES
        if results.facets.get(name)
    ]
    pages = params.copy()
    pages.pop("page", None)
    return {
        "query": query,
        "results": results,
        "facets": facets,
        "sort": sort if sort in SORTS else "relevance",
        "sorts": list(SORT_LABELS.items()),
        "page_query": pages.urlencode(),
        "has_previous": results.page > 1,
        "has_next": results.page < results.page_count,
        "active_filters": {name: values for name, values in filters.items() if values},
    }
