"""The interface every catalogue search backend implements (see embedded.py and elastic.py)."""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

from search.documents import IndexDocument
from search.query import SearchRequest, SearchResults, Suggestion

Progress = Callable[[int], None]


class SearchBackend(ABC):
    name: str

    @abstractmethod
    def rebuild(self, documents: Iterable[IndexDocument], *, progress: Progress | None = None) -> int:
        """Build a new index from `documents`, then make it the one searched, in one swap.

        Searches keep answering from the old index until the swap. Returns the number indexed.
        """

    @abstractmethod
    def upsert(self, documents: Iterable[IndexDocument]) -> int:
        """Add or replace these products in the current index (creating it if missing)."""

    @abstractmethod
    def delete(self, product_ids: Iterable[int]) -> None:
        """Remove these products; ids not in the index are ignored."""

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResults:
        """One page of matching products, with facet counts over all matches."""

    @abstractmethod
    def suggest(self, request: SearchRequest, *, limit: int = 8) -> list[Suggestion]:
        """Products whose names complete what the shopper has typed so far."""

    @abstractmethod
    def status(self) -> dict:
        """What is indexed and where: {"backend", "index", "documents", "built_at", …}."""
