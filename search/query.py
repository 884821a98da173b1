"""What a search asks for and what it answers, the same for every backend."""

import datetime
from dataclasses import dataclass, field

from search.analysis import Clause

SORTS = ("relevance", "price_asc", "price_desc", "sales", "newest")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
# Products in a live session right now rank this much higher.
LIVE_BOOST = 1.5
# A product whose title is exactly the query comes before longer names containing it.
EXACT_TITLE_BOOST = 2.0


@dataclass(frozen=True)
class SearchRequest:
    """A parsed search: the query's clauses, facet filters (OR within a facet, AND across),
    sort and 1-based page."""

    query: str = ""
    clauses: tuple[Clause, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The query as a whole title (also with synonyms substituted): such a product ranks first.
    exact_titles: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass
class Hit:
    id: int
    title: str
    url: str
    subtitle: str
    price_min_fen: int | None
    price_max_fen: int | None
    in_stock: bool
    live_now: bool
    sales_count: int
    published_at: datetime.datetime | None
    highlight: str
    score: float = 0.0


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchResults:
    count: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def page_count(self) -> int:
        return max(1, -(-self.count // self.page_size))


@dataclass
class Suggestion:
    text: str
    url: str
    id: int
