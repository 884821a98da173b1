"""What the Elasticsearch backend sends: the exact index mapping, query bodies and the alias swap.

No server is needed (none can be installed here); test_contract.py runs the same queries against
a real one when ELASTICSEARCH_URL is set.
"""

import datetime

import pytest

from search.backends import elastic
from search.backends.elastic import ProductDocument, document_source, search_body, suggest_body
from search.documents import ProductSource, VillageRef, document_build
from search.query import SearchRequest
from search.selectors import search_request_build

pytestmark = pytest.mark.django_db

TOKEN_FIELDS = ["title_grams", "title_chars", "title_pinyin", "title_initials", "meta_grams", "meta_chars",
                "meta_pinyin", "meta_initials", "body_grams", "body_chars"]
FACETS = ["category", "township", "village", "cooperative", "price_band", "in_stock", "live_now"]


def test_index_uses_only_stock_analyzers_and_maps_every_field():
    expected_properties = {
        "id": {"type": "long"},
        "title": {"type": "text", "analyzer": "cjk"},
        "title_key": {"type": "keyword"},
        "subtitle": {"type": "text", "analyzer": "cjk"},
        "url": {"type": "keyword", "index": False},
        "brand": {"type": "keyword"},
        "is_gi": {"type": "keyword"},
        "price_min_fen": {"type": "long"},
        "price_max_fen": {"type": "long"},
        "sales_count": {"type": "integer"},
        "published_at": {"type": "date"},
        "suggest": {"type": "completion", "analyzer": "suggest_keyword", "search_analyzer": "suggest_keyword"},
        **{name: {"type": "text", "analyzer": "tokens"} for name in TOKEN_FIELDS},
        **{name: {"type": "keyword"} for name in FACETS},
        **{f"{name}_entry": {"type": "keyword"} for name in FACETS},
    }
    assert ProductDocument._index.to_dict() == {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "analysis": {
                "analyzer": {
                    "tokens": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]},
                    "suggest_keyword": {"type": "custom", "tokenizer": "keyword", "filter": ["lowercase"]},
                }
            },
        },
        "mappings": {"properties": expected_properties},
    }


def _should(queries):
    return {"bool": {"should": queries, "minimum_should_match": 1}}


def test_query_body_combines_clauses_boosts_filters_facets_highlight_sort_and_page():
    request = search_request_build(
        query="宁海 zhizi", filters={"in_stock": ["true"], "category": ["seafood"]}, sort="price_asc",
        page=2, page_size=10,
    )
    place = _should([
        {"match_phrase": {"title_grams": {"query": "宁海", "boost": 10.0}}},
        {"match_phrase": {"meta_grams": {"query": "宁海", "boost": 3.0}}},
        {"match_phrase": {"body_grams": {"query": "宁海", "boost": 1.0}}},
    ])
    pinyin = _should([
        {"match": {"title_pinyin": {"query": "zhizi", "fuzziness": "AUTO", "boost": 8.0}}},
        {"match": {"meta_pinyin": {"query": "zhizi", "fuzziness": "AUTO", "boost": 2.5}}},
        {"term": {"title_initials": {"value": "zhizi", "boost": 6.0}}},
        {"term": {"meta_initials": {"value": "zhizi", "boost": 2.0}}},
    ])
    assert search_body(request).to_dict() == {
        "query": {
            "bool": {
                "must": [{
                    "function_score": {
                        "query": {"bool": {"must": [
                            _should([{"bool": {"must": [place]}}]),
                            _should([{"bool": {"must": [pinyin]}}]),
                        ]}},
                        "functions": [
                            {"filter": {"term": {"live_now": "true"}}, "weight": 1.5},
                            {"filter": {"terms": {"title_key": ["宁海zhizi"]}}, "weight": 2.0},
                        ],
                        "score_mode": "multiply",
                        "boost_mode": "multiply",
                    }
                }],
                "filter": [{"terms": {"category": ["seafood"]}}, {"terms": {"in_stock": ["true"]}}],
            }
        },
        "aggs": {name: {"terms": {"field": f"{name}_entry", "size": 100}} for name in FACETS},
        "highlight": {
            "fields": {"title": {}},
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "number_of_fragments": 0,
            "highlight_query": _should([{"match_phrase": {"title": "宁海"}}]),
        },
        "sort": [{"price_min_fen": {"order": "asc", "missing": "_last"}}, "_score", {"id": {"order": "asc"}}],
        "track_total_hits": True,
        "from": 10,
        "size": 10,
    }


def test_single_characters_prefixes_and_synonyms_become_the_expected_queries():
    request = search_request_build(query="蛏 zhiz", completing=True)
    must = search_body(request).to_dict()["query"]["function_score"]["query"]["bool"]["must"]
    assert must[0] == _should([{"bool": {"must": [_should([
        {"term": {"title_chars": {"value": "蛏", "boost": 3.0}}},
        {"term": {"meta_chars": {"value": "蛏", "boost": 1.0}}},
        {"term": {"body_chars": {"value": "蛏", "boost": 0.3}}},
    ])]}}])
    assert must[1] == _should([{"bool": {"must": [_should([
        {"prefix": {"title_pinyin": {"value": "zhiz", "boost": 8.0}}},
        {"prefix": {"meta_pinyin": {"value": "zhiz", "boost": 2.5}}},
        {"prefix": {"title_initials": {"value": "zhiz", "boost": 6.0}}},
        {"prefix": {"meta_initials": {"value": "zhiz", "boost": 2.0}}},
    ])]}}])
    synonym = search_body(search_request_build(query="蛏子")).to_dict()
    alternatives = synonym["query"]["function_score"]["query"]["bool"]["must"][0]["bool"]["should"]
    first_phrases = [alt["bool"]["must"][0]["bool"]["should"][0]["match_phrase"] for alt in alternatives]
    phrases = [phrase["title_grams"]["query"] for phrase in first_phrases]
    assert phrases == ["蛏子", "蛭子"]


def test_empty_query_matches_all_and_sorts_newest_first():
    body = search_body(SearchRequest(sort="newest")).to_dict()
    assert body["query"]["function_score"]["query"] == {"match_all": {}}
    assert body["sort"] == [{"published_at": {"order": "desc"}}, {"id": {"order": "desc"}}]
    assert "highlight" not in body


def test_suggest_body_is_a_fuzzy_completion_on_the_typed_text_without_spaces():
    assert suggest_body(search_request_build(query="zhi z", completing=True), limit=8).to_dict() == {
        "size": 0,
        "_source": ["id", "title", "url"],
        "suggest": {"products": {"prefix": "zhiz", "completion": {
            "field": "suggest", "size": 8, "skip_duplicates": True, "fuzzy": {"fuzziness": "AUTO"}}}},
    }
    chinese = suggest_body(search_request_build(query="长街", completing=True), limit=5).to_dict()
    assert chinese["suggest"]["products"] == {
        "prefix": "长街", "completion": {"field": "suggest", "size": 5, "skip_duplicates": True}
    }


def _document():
    return document_build(ProductSource(
        id=7, title="长街蛭子", url="/products/changjie-zhizi/", brand="长街蛭子", brand_aliases=["长街蛏子"],
        is_gi=True,
        category_slug="seafood", category_name="海鲜水产", cooperative_slug="cj", cooperative_short_name="长街强村公司",
        villages=[VillageRef("xiao", "西岙村", "长街镇")], price_min_fen=6800, price_max_fen=29800, in_stock=True,
        sales_count=12, published_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
    ))


def test_stored_document_holds_tokens_facet_values_with_labels_and_completion_inputs():
    source = document_source(_document())
    assert source["title_key"] == "长街蛭子"
    assert source["title_grams"] == "长街 街蛭 蛭子"
    assert "zhizi" in source["title_pinyin"].split() and "changjiezhizi" in source["title_pinyin"].split()
    assert "cjzz" in source["title_initials"].split()
    assert source["category"] == ["seafood"] and source["category_entry"] == ["seafood\x1f海鲜水产"]
    assert source["village_entry"] == ["xiao\x1f长街镇·西岙村"]
    assert source["price_band"] == ["50-100"] and source["in_stock"] == ["true"] and source["live_now"] == ["false"]
    assert source["suggest"]["weight"] == 13
    assert {"长街蛭子", "蛭子", "zhizi", "changjiezhizi", "cjzz", "长街蛏子"} <= set(source["suggest"]["input"])


class FakeIndices:
    def __init__(self, aliases):
        self.aliases = aliases
        self.calls = []

    def get_alias(self, name):
        if not self.aliases:
            raise elastic.NotFoundError("no alias", meta=None, body=None)
        return {index: {} for index in self.aliases}

    def __getattr__(self, name):
        return lambda **kwargs: self.calls.append((name, kwargs))


class FakeConnection:
    def __init__(self, aliases):
        self.indices = FakeIndices(aliases)


def test_rebuild_fills_a_new_index_then_moves_the_alias_and_drops_the_old(monkeypatch):
    connection = FakeConnection(["catalogue-old"])
    bulked = []
    monkeypatch.setattr(elastic.ElasticsearchBackend, "_create_index", lambda self: "catalogue-new")
    monkeypatch.setattr(elastic, "bulk", lambda conn, actions, **kw: bulked.extend(actions))
    backend = elastic.ElasticsearchBackend(connection=connection, alias="catalogue")

    assert backend.rebuild([_document()]) == 1

    assert [a["_index"] for a in bulked] == ["catalogue-new"] and bulked[0]["_id"] == 7
    calls = connection.indices.calls
    assert ("update_aliases", {"actions": [
        {"remove": {"index": "catalogue-old", "alias": "catalogue"}},
        {"add": {"index": "catalogue-new", "alias": "catalogue"}},
    ]}) in calls
    assert calls[-1] == ("delete", {"index": "catalogue-old", "ignore_unavailable": True})
    assert [name for name, _ in calls].index("refresh") < [name for name, _ in calls].index("update_aliases")
