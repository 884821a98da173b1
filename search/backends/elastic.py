"""The Elasticsearch backend (elasticsearch-dsl), used when ELASTICSEARCH_URL is set.

No server plugin is needed: the Chinese tokens, pinyin and initials arrive pre-computed
(search.analysis) and are indexed with a whitespace tokenizer and the stock lowercase filter;
display text uses the stock "cjk" analyzer for highlighting. Searches go to an alias: a rebuild
fills a new index and then moves the alias in one update_aliases call.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import bulk
from elasticsearch_dsl import Completion, Date, Document, Integer, Keyword, Long, Q, Search, Text, analyzer

from search.analysis import Term, clause_terms, title_key
from search.backends.base import Progress, SearchBackend
from search.documents import IndexDocument
from search.facets import FACET_NAMES, facet_label, facet_sort_key
from search.highlight import highlight
from search.query import EXACT_TITLE_BOOST, LIVE_BOOST, FacetValue, Hit, SearchRequest, SearchResults, Suggestion

ENTRY_SEPARATOR = "\x1f"  # between a facet value and its label in the *_entry keyword fields
TOKEN_FIELDS = {  # field → boost, the same weights as the embedded backend's bm25
    "title_grams": 10.0, "title_chars": 3.0, "title_pinyin": 8.0, "title_initials": 6.0,
    "meta_grams": 3.0, "meta_chars": 1.0, "meta_pinyin": 2.5, "meta_initials": 2.0,
    "body_grams": 1.0, "body_chars": 0.3,
}

tokens = analyzer("tokens", tokenizer="whitespace", filter=["lowercase"])
suggest_keyword = analyzer("suggest_keyword", tokenizer="keyword", filter=["lowercase"])


class ProductDocument(Document):
    """One live product. Facet fields hold values (filtered on) and value+label entries
    (aggregated on), so a facet needs no second lookup for its labels."""

    id = Long()
    title = Text(analyzer="cjk")
    title_key = Keyword()
    subtitle = Text(analyzer="cjk")
    url = Keyword(index=False)
    brand = Keyword()
    is_gi = Keyword()
    price_min_fen = Long()
    price_max_fen = Long()
    sales_count = Integer()
    published_at = Date()
    suggest = Completion(analyzer=suggest_keyword, search_analyzer=suggest_keyword)

    class Index:
        name = "catalogue"
        settings = {"number_of_shards": 1, "number_of_replicas": 0}


for _field in TOKEN_FIELDS:
    ProductDocument._doc_type.mapping.field(_field, Text(analyzer=tokens))
for _facet in FACET_NAMES:
    ProductDocument._doc_type.mapping.field(_facet, Keyword())
    ProductDocument._doc_type.mapping.field(f"{_facet}_entry", Keyword())


def document_source(document: IndexDocument) -> dict:
    """The JSON stored for a product."""
    s = document.source
    body = {
        "id": s.id, "title": s.title, "title_key": title_key(s.title), "subtitle": s.subtitle, "url": s.url,
        "brand": s.brand, "is_gi": "true" if s.is_gi else "false",
        "price_min_fen": s.price_min_fen, "price_max_fen": s.price_max_fen, "sales_count": s.sales_count,
        "published_at": s.published_at.isoformat() if s.published_at else None,
        "suggest": {"input": document.suggest_inputs, "weight": min(s.sales_count, 1_000_000) + 1},
    }
    body.update(document.token_fields())
    for name in FACET_NAMES:
        pairs = document.facets.get(name, [])
        body[name] = [value for value, _label in pairs]
        body[f"{name}_entry"] = [f"{value}{ENTRY_SEPARATOR}{label}" for value, label in pairs]
    return body


def _should(queries: list, **kwargs) -> Q:
    return Q("bool", should=queries, minimum_should_match=1, **kwargs)


def term_query(term: Term) -> Q:
    """The query for one term: a substring phrase of bigrams, one character, or a Latin word
    matched against pinyin (fuzzily, or as a prefix while typing) and initials."""
    if not term.latin:
        if len(term.text) == 1:
            fields = ("title_chars", "meta_chars", "body_chars")
            return _should([Q("term", **{f: {"value": term.text, "boost": TOKEN_FIELDS[f]}}) for f in fields])
        fields = ("title_grams", "meta_grams", "body_grams")
        phrase = " ".join(term.grams)
        return _should([Q("match_phrase", **{f: {"query": phrase, "boost": TOKEN_FIELDS[f]}}) for f in fields])
    queries = []
    for field in ("title_pinyin", "meta_pinyin"):
        if term.prefix:
            queries.append(Q("prefix", **{field: {"value": term.text, "boost": TOKEN_FIELDS[field]}}))
        else:
            fuzzy = {"query": term.text, "fuzziness": "AUTO", "boost": TOKEN_FIELDS[field]}
            queries.append(Q("match", **{field: fuzzy}))
    for field in ("title_initials", "meta_initials"):
        kind = "prefix" if term.prefix else "term"
        queries.append(Q(kind, **{field: {"value": term.text, "boost": TOKEN_FIELDS[field]}}))
    return _should(queries)


def clauses_query(clauses) -> Q:
    if not clauses:
        return Q("match_all")
    return Q(
        "bool",
        must=[_should([Q("bool", must=[term_query(t) for t in alt]) for alt in clause]) for clause in clauses],
    )


SORTS = {
    "relevance": ["_score", {"sales_count": {"order": "desc"}}, {"id": {"order": "asc"}}],
    "price_asc": [{"price_min_fen": {"order": "asc", "missing": "_last"}}, "_score", {"id": {"order": "asc"}}],
    "price_desc": [{"price_min_fen": {"order": "desc"}}, "_score", {"id": {"order": "asc"}}],
    "sales": [{"sales_count": {"order": "desc"}}, "_score", {"id": {"order": "asc"}}],
    "newest": [{"published_at": {"order": "desc"}}, {"id": {"order": "desc"}}],
}


def search_body(request: SearchRequest, *, index: str = "catalogue") -> Search:
    """The Search sent for a request: clauses, live and exact-title boosts, facet filters,
    aggregations for every facet, highlighting of the title, sort and page."""
    query = Q(
        "function_score",
        query=clauses_query(request.clauses),
        functions=[
            {"filter": Q("term", live_now="true"), "weight": LIVE_BOOST},
            {"filter": Q("terms", title_key=list(request.exact_titles) or [""]), "weight": EXACT_TITLE_BOOST},
        ],
        score_mode="multiply",
        boost_mode="multiply",
    )
    search = Search(index=index).query(query)
    for name, values in sorted(request.filters.items()):
        search = search.filter("terms", **{name: list(values)})
    for name in FACET_NAMES:
        search.aggs.bucket(name, "terms", field=f"{name}_entry", size=100)
    phrases = [Q("match_phrase", title=t.text) for t in clause_terms(list(request.clauses)) if not t.latin]
    if phrases:
        search = search.highlight_options(
            pre_tags=["<mark>"], post_tags=["</mark>"], number_of_fragments=0,
            highlight_query=_should(phrases).to_dict(),
        ).highlight("title")
    search = search.sort(*SORTS.get(request.sort, SORTS["relevance"])).extra(track_total_hits=True)
    return search[request.offset : request.offset + request.page_size]


def suggest_body(request: SearchRequest, *, limit: int, index: str = "catalogue") -> Search:
    """A completion suggestion on the typed text (spaces removed, so "zhi z" completes too)."""
    text = title_key(request.query)
    completion: dict = {"field": "suggest", "size": limit, "skip_duplicates": True}
    if text.isascii() and len(text) >= 3:
        completion["fuzzy"] = {"fuzziness": "AUTO"}
    search = Search(index=index).source(["id", "title", "url"])
    return search.suggest("products", text, completion=completion).extra(size=0)


_client: Elasticsearch | None = None


def client() -> Elasticsearch:
    global _client
    if _client is None:
        _client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=10)
    return _client


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, connection: Elasticsearch | None = None, alias: str | None = None):
        self.connection = connection or client()
        self.alias = alias or settings.SEARCH_INDEX_NAME

    def _indices(self) -> list[str]:
        try:
            return sorted(self.connection.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    def _create_index(self) -> str:
        name = f"{self.alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        ProductDocument._index.clone(name=name, using=self.connection).create()
        return name

    def _bulk(self, index: str, documents: Iterable[IndexDocument], progress: Progress | None) -> int:
        written = 0
        batch: list[dict] = []

        def flush() -> None:
            nonlocal written
            bulk(self.connection, batch, refresh=False)
            written += len(batch)
            batch.clear()
            if progress:
                progress(written)

        for document in documents:
            batch.append({"_index": index, "_id": document.id, "_source": document_source(document)})
            if len(batch) >= 500:
                flush()
        if batch:
            flush()
        self.connection.indices.refresh(index=index)
        return written

    def rebuild(self, documents: Iterable[IndexDocument], *, progress: Progress | None = None) -> int:
        new_index = self._create_index()
        try:
            written = self._bulk(new_index, documents, progress)
        except BaseException:
            self.connection.indices.delete(index=new_index, ignore_unavailable=True)
            raise
        old = self._indices()
        if not old and self.connection.indices.exists(index=self.alias):
            self.connection.indices.delete(index=self.alias)  # a plain index squatting the alias name
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": new_index, "alias": self.alias}})
        self.connection.indices.update_aliases(actions=actions)
        for name in old:
            self.connection.indices.delete(index=name, ignore_unavailable=True)
        return written

    def _ensure(self) -> None:
        if not self._indices():
            new_index = self._create_index()
            self.connection.indices.update_aliases(actions=[{"add": {"index": new_index, "alias": self.alias}}])

    def upsert(self, documents: Iterable[IndexDocument]) -> int:
        self._ensure()
        written = self._bulk(self.alias, documents, None)
        return written

    def delete(self, product_ids: Iterable[int]) -> None:
        actions = [{"_op_type": "delete", "_index": self.alias, "_id": int(i)} for i in product_ids]
        if actions and self._indices():
            bulk(self.connection, actions, raise_on_error=False)
            self.connection.indices.refresh(index=self.alias)

    def search(self, request: SearchRequest) -> SearchResults:
        try:
            response = search_body(request, index=self.alias).using(self.connection).execute()
        except NotFoundError:  # nothing indexed yet: no alias
            return SearchResults(count=0, hits=[], facets={}, page=request.page, page_size=request.page_size)
        terms = clause_terms(list(request.clauses))
        hits = []
        for hit in response.hits:
            source = hit.to_dict()
            marked = getattr(getattr(hit.meta, "highlight", None), "title", None)
            published = source.get("published_at")
            hits.append(Hit(
                id=source["id"], title=source["title"], url=source["url"], subtitle=source.get("subtitle", ""),
                price_min_fen=source.get("price_min_fen"), price_max_fen=source.get("price_max_fen"),
                in_stock=source.get("in_stock") == ["true"], live_now=source.get("live_now") == ["true"],
                sales_count=source.get("sales_count", 0),
                published_at=datetime.datetime.fromisoformat(published) if published else None,
                highlight=marked[0] if marked else highlight(source["title"], terms),
                score=hit.meta.score or 0.0,
            ))
        facets: dict[str, list[FacetValue]] = {}
        for name in FACET_NAMES:
            buckets = getattr(response.aggregations, name).buckets
            values = []
            for bucket in buckets:
                value, _sep, label = bucket.key.partition(ENTRY_SEPARATOR)
                values.append(FacetValue(value, facet_label(name, value, label), bucket.doc_count))
            if values:
                facets[name] = sorted(values, key=lambda v, n=name: facet_sort_key(n, v.value, v.count))
        return SearchResults(
            count=response.hits.total.value, hits=hits, facets=facets, page=request.page, page_size=request.page_size
        )

    def suggest(self, request: SearchRequest, *, limit: int = 8) -> list[Suggestion]:
        if not request.clauses:
            return []
        try:
            response = suggest_body(request, limit=limit, index=self.alias).using(self.connection).execute()
        except NotFoundError:
            return []
        options = response.suggest.products[0].options if response.suggest.products else []
        return [Suggestion(text=o._source.title, url=o._source.url, id=o._source.id) for o in options]

    def status(self) -> dict:
        indices = self._indices()
        documents = self.connection.count(index=self.alias)["count"] if indices else 0
        return {"backend": self.name, "index": ", ".join(indices) or None, "alias": self.alias,
                "documents": documents, "built_at": None}
