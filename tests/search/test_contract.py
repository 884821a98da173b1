"""The search contract: the same queries give the same top products on every backend.

Runs on the demo catalogue. An expected list means "these, in this order, first"; an expected
set means "these first, in any order".
"""

import dataclasses
import datetime

import pytest

from search.documents import ProductSource, VillageRef, document_build
from search.selectors import search_request_build

pytestmark = pytest.mark.django_db

CLAM = "长街蛭子"
CLAM_DRIED = "长街蛭子干"
CLAMS = {CLAM, CLAM_DRIED}
DENDROBIUM = "四明山铁皮石斛枫斗"
DENDROBIUM_FRESH = "石斛鲜条"
EMBROIDERY = {"西坞刺绣香囊", "西坞刺绣团扇", "西坞刺绣丝巾", "西坞刺绣体验课"}
SEAFOOD = {CLAM, CLAM_DRIED, "长街头水紫菜", "长街淡晒虾皮", "长街黄鱼鲞", "长街海味年货礼包"}

CASES = [
    # Chinese words and substrings
    ("蛭子", CLAMS),
    ("长街蛭子", [CLAM]),
    ("蛭子干", [CLAM_DRIED]),
    ("街蛭", CLAMS),
    ("石斛", {DENDROBIUM, DENDROBIUM_FRESH}),
    ("雷笋", ["四明山雷笋"]),
    ("蓝莓", ["四明山高山蓝莓"]),
    ("香囊", ["西坞刺绣香囊"]),
    ("刺绣", EMBROIDERY),
    ("花生", ["笋脯花生"]),
    ("紫菜", ["长街头水紫菜"]),
    ("黄鱼", ["长街黄鱼鲞"]),
    ("云雾茶", ["龙观高山云雾茶"]),
    ("民宿", ["李岙山居民宿"]),
    ("蜂蜜", ["五龙潭土蜂蜜"]),
    # full pinyin, with or without spaces, any case or width
    ("zhizi", CLAMS),
    ("zhi zi", CLAMS),
    ("ZhiZi", CLAMS),
    ("ｚｈｉｚｉ", CLAMS),
    ("changjiezhizi", CLAMS),
    ("shihu", {DENDROBIUM, DENDROBIUM_FRESH}),
    ("shi hu", {DENDROBIUM, DENDROBIUM_FRESH}),
    ("leisun", ["四明山雷笋"]),
    ("lanmei", ["四明山高山蓝莓"]),
    ("xiangnang", ["西坞刺绣香囊"]),
    ("cixiu", EMBROIDERY),
    ("fengmi", ["五龙潭土蜂蜜"]),
    ("wulongtan", ["五龙潭土蜂蜜"]),
    ("minsu", ["李岙山居民宿"]),
    ("xiapi", ["长街淡晒虾皮"]),
    # initials
    ("cjzz", CLAMS),
    ("tpsh", [DENDROBIUM]),
    ("sfhs", ["笋脯花生"]),
    # small pinyin typos
    ("zhizhi", CLAMS),
    ("zizi", CLAMS),
    ("shuhu", {DENDROBIUM, DENDROBIUM_FRESH}),
    ("leishun", ["四明山雷笋"]),
    ("lanmie", ["四明山高山蓝莓"]),
    # synonyms and variants from the staff list
    ("蛏子", CLAMS),
    ("长街蛏子", [CLAM]),
    ("chengzi", CLAMS),
    ("枫斗", {DENDROBIUM, DENDROBIUM_FRESH}),
    # mixed queries with a place
    ("宁海 蛭子", CLAMS),
    ("宁海蛭子", CLAMS),
    ("ninghai zhizi", CLAMS),
    ("宁海 zhizi", CLAMS),
    ("西坞 刺绣", EMBROIDERY),
    ("大岚 石斛", {DENDROBIUM, DENDROBIUM_FRESH}),
    ("龙观 茶", {"龙观高山云雾茶", "龙观茶蜜礼盒"}),
    # categories by their English name
    ("seafood", SEAFOOD),
]


def _titles(backend, query: str, **kwargs) -> list[str]:
    return [hit.title for hit in backend.search(search_request_build(query=query, **kwargs)).hits]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[case[0] for case in CASES])
def test_top_results_are_the_expected_products_when_searching(contract_backend, query, expected):
    titles = _titles(contract_backend, query, page_size=50)
    if isinstance(expected, list):
        assert titles[: len(expected)] == expected, titles
    else:
        assert set(titles[: len(expected)]) == expected, titles


def test_contract_has_at_least_thirty_cases():
    assert len(CASES) >= 30


def test_nothing_is_found_when_no_product_matches(contract_backend):
    assert _titles(contract_backend, "不存在的东西") == []
    assert _titles(contract_backend, "qwxzv") == []


def test_every_clause_must_match_when_query_names_a_place_and_a_product(contract_backend):
    # 宁海 (Changjie's county) and 石斛 (Siming's) never meet in one product.
    assert _titles(contract_backend, "宁海 石斛") == []


def test_all_products_are_listed_when_query_is_empty(contract_backend):
    results = contract_backend.search(search_request_build(query="", page_size=50))
    assert results.count == 22


def test_facets_count_matches_by_category_township_village_cooperative_band_stock_and_live(contract_backend):
    from django.utils import translation

    with translation.override("en"):  # the labels of bands and yes/no facets are translated when read
        results = contract_backend.search(search_request_build(query="长街"))
        facets = {name: {v.value: (v.label, v.count) for v in values} for name, values in results.facets.items()}
    assert facets["category"] == {"seafood": ("海鲜水产", 6)}
    assert facets["township"] == {"长街镇": ("长街镇", 6)}
    assert facets["village"]["xiao"] == ("长街镇·西岙村", 3)
    assert facets["cooperative"] == {"changjie-qiangcun": ("长街强村公司", 6)}
    assert facets["price_band"] == {"under-50": ("Under ¥50", 2), "50-100": ("¥50–100", 3), "100-200": ("¥100–200", 1)}
    assert facets["in_stock"] == {"true": ("In stock", 6)}
    assert facets["live_now"] == {"false": ("Not live", 6)}


def test_filters_narrow_results_when_facet_values_are_chosen(contract_backend):
    def count(**filters):
        return contract_backend.search(search_request_build(query="", filters=filters)).count

    assert count(category=["seafood"]) == 6
    assert count(category=["seafood", "crafts"]) == 9
    assert count(township=["大岚镇"]) == 5
    assert count(village=["jine"]) == 3
    assert count(cooperative=["xiwu-qiangcun"]) == 4
    assert count(price_band=["under-50"]) == 4
    assert count(category=["seafood"], price_band=["under-50"]) == 2
    assert count(in_stock=["false"]) == 0
    assert count(live_now=["true"]) == 0


def test_results_are_ordered_by_price_or_date_when_asked(contract_backend):
    by_price = contract_backend.search(search_request_build(query="", sort="price_asc", page_size=50)).hits
    prices = [hit.price_min_fen for hit in by_price]
    assert prices == sorted(prices)
    by_price_desc = contract_backend.search(search_request_build(query="", sort="price_desc", page_size=50)).hits
    assert [hit.price_min_fen for hit in by_price_desc] == sorted(prices, reverse=True)
    newest = contract_backend.search(search_request_build(query="", sort="newest", page_size=50)).hits
    dates = [hit.published_at for hit in newest]
    assert dates == sorted(dates, reverse=True)


def test_pages_follow_each_other_when_paginating(contract_backend):
    first = contract_backend.search(search_request_build(query="", page=1, page_size=5))
    second = contract_backend.search(search_request_build(query="", page=2, page_size=5))
    assert first.count == second.count == 22
    assert len(first.hits) == len(second.hits) == 5
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}


def test_matched_characters_are_marked_when_found_by_word_pinyin_or_initials(contract_backend):
    def marked(query):
        return {hit.title: hit.highlight for hit in contract_backend.search(search_request_build(query=query)).hits}

    assert marked("蛭子")[CLAM] == "长街<mark>蛭子</mark>"
    assert marked("zhizi")[CLAM] == "长街<mark>蛭子</mark>"
    assert marked("cjzz")[CLAM] == "<mark>长街蛭子</mark>"
    assert marked("蛏子")[CLAM] == "长街<mark>蛭子</mark>"
    assert marked("shi hu")[DENDROBIUM_FRESH] == "<mark>石斛</mark>鲜条"


def test_names_are_completed_when_typing_pinyin_chinese_or_initials(contract_backend):
    def suggest(query):
        return [(s.text, s.url) for s in contract_backend.suggest(search_request_build(query=query, completing=True))]

    assert (CLAM, "/products/changjie-zhizi/") in suggest("zhizi")[:2]
    assert CLAM in [text for text, _url in suggest("zhiz")][:2]
    assert CLAM in [text for text, _url in suggest("长街蛭")][:2]
    assert CLAM in [text for text, _url in suggest("cjz")][:2]
    assert [text for text, _url in suggest("xiangn")] == ["西坞刺绣香囊"]
    assert suggest("") == []


def _synthetic(product_id: int, title: str, **changes) -> ProductSource:
    source = ProductSource(
        id=product_id, title=title, url=f"/p/{product_id}/", category_slug="seafood", category_name="海鲜水产",
        villages=[VillageRef("xiao", "西岙村", "长街镇")], price_min_fen=1000, price_max_fen=1000, in_stock=True,
        published_at=datetime.datetime(2026, 1, product_id, tzinfo=datetime.UTC),
    )
    return dataclasses.replace(source, **changes)


@pytest.fixture
def small_backend(contract_backend, tmp_path):
    """A second index of the same backend kind, for documents the demo does not have."""
    from search.backends.embedded import EmbeddedBackend

    if isinstance(contract_backend, EmbeddedBackend):
        yield EmbeddedBackend(directory=tmp_path, index_name="small")
        return
    from search.backends.elastic import ElasticsearchBackend

    backend = ElasticsearchBackend(connection=contract_backend.connection, alias=f"{contract_backend.alias}-small")
    yield backend
    for name in backend._indices():
        backend.connection.indices.delete(index=name, ignore_unavailable=True)


def test_product_live_now_ranks_first_when_otherwise_equal(small_backend):
    small_backend.rebuild([
        document_build(_synthetic(1, "海边蛭子")),
        document_build(_synthetic(2, "滩涂蛭子", live_now=True)),
    ])
    hits = small_backend.search(search_request_build(query="蛭子")).hits
    assert [hit.id for hit in hits] == [2, 1]
    assert hits[0].live_now


def test_best_sellers_come_first_when_sorting_by_sales(small_backend):
    small_backend.rebuild([document_build(_synthetic(i, f"蛭子{i}号", sales_count=sales)) for i, sales in
                           [(1, 5), (2, 50), (3, 0)]])
    hits = small_backend.search(search_request_build(query="蛭子", sort="sales")).hits
    assert [hit.id for hit in hits] == [2, 1, 3]


def test_markup_in_titles_is_escaped_when_highlighting(small_backend):
    small_backend.rebuild([document_build(_synthetic(1, "<b>蛭子</b> & 鱼"))])
    hit = small_backend.search(search_request_build(query="蛭子")).hits[0]
    assert hit.highlight == "&lt;b&gt;<mark>蛭子</mark>&lt;/b&gt; &amp; 鱼"
