"""Catalogue search on the embedded backend: a 10,000-product index and 500 mixed queries.

The products are synthetic but built from the demo's vocabulary (places, products, brands,
categories, tags) and go through the production path: search.documents.document_build (jieba,
pinyin, initials) and EmbeddedBackend.rebuild. Queries go through search_request_build (synonyms,
clause cutting) and EmbeddedBackend.search with facet counts, as the API does. Sequential, one
process, after 20 warm-up queries.
"""

import datetime
import random
import shutil
import tempfile
import time

from tests.bench.common import Result, base_params, ms, percentile

NAME = "search"
PRODUCTS = 10_000
QUERIES = 500
WARMUP = 20
SEED = 20261129

NOUNS = ["蛭子", "蛭子干", "紫菜", "虾皮", "黄鱼鲞", "高山云雾茶", "土蜂蜜", "手剥笋干", "铁皮石斛枫斗", "石斛鲜条",
         "雷笋", "高山蓝莓", "笋脯花生", "高山香米", "刺绣香囊", "刺绣团扇", "刺绣丝巾", "研学一日营", "山居民宿",
         "茶蜜礼盒"]
QUALIFIERS = ["", "特级", "精选", "礼盒装", "家庭装", "鲜活", "手作", "头茬", "年货", "新品"]
SUBTITLES = ["三门湾泥涂鲜活", "海拔六百米 · 明前采摘", "绣娘手工", "当天采收冷链直发", "渔家手作", "梯田种植 · 一季稻"]
STORY = "村民在工坊里分拣、清洗、打包，按件计酬。强村公司统一收购、统一分拣、统一冷链。每一笔收入都回到持股的村。"

# (kind, query, facet filters, sort): the mix shoppers type, in rotation.
QUERY_MIX = [
    ("word", "蛭子", {}, "relevance"), ("word", "石斛", {}, "relevance"), ("word", "刺绣", {}, "relevance"),
    ("substring", "街蛭", {}, "relevance"), ("word", "蓝莓", {}, "price_asc"),
    ("pinyin", "zhizi", {}, "relevance"), ("pinyin", "shi hu", {}, "relevance"), ("pinyin", "leisun", {}, "sales"),
    ("initials", "cjzz", {}, "relevance"), ("initials", "tpsh", {}, "relevance"),
    ("typo", "zhizhi", {}, "relevance"), ("typo", "shuhu", {}, "relevance"), ("typo", "lanmie", {}, "relevance"),
    ("synonym", "蛏子", {}, "relevance"), ("place", "宁海 蛭子", {}, "relevance"), ("place", "龙观 茶", {}, "newest"),
    ("facet", "蛭子", {"category": ["seafood"], "in_stock": ["true"]}, "relevance"),
    ("facet", "", {"township": ["大岚镇"]}, "price_desc"), ("browse", "", {}, "newest"),
    ("none", "不存在的东西", {}, "relevance"),
]


def synthetic_sources(count: int, rng: random.Random) -> list:
    """ProductSources shaped like the demo's, with the demo's producers and vocabulary."""
    from cms.demo import data
    from search.documents import ProductSource, VillageRef

    villages = [VillageRef(slug, name, township) for slug, name, township, _alliance in data.VILLAGES]
    alliances = {a["slug"]: a for a in data.ALLIANCES}
    cooperatives = data.COOPERATIVES
    categories = data.CATEGORIES
    brands = data.BRANDS
    tags = sorted({tag for product in data.PRODUCTS for tag in product["tags"]})
    began = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    sources = []
    for i in range(1, count + 1):
        cooperative = rng.choice(cooperatives)
        alliance = alliances[cooperative["alliance"]]
        place = rng.choice([v.name.removesuffix("村") for v in villages] + ["长街", "龙观", "四明山", "西坞"])
        category = rng.choice(categories)
        brand = rng.choice(brands + [None])
        price = rng.choice([1800, 2600, 3900, 6800, 8800, 12800, 16800, 29800, 45800])
        sources.append(ProductSource(
            id=i, title=f"{place}{rng.choice(NOUNS)}{rng.choice(QUALIFIERS)}", url=f"/products/bench-{i}/",
            subtitle=rng.choice(SUBTITLES), summary=STORY[: rng.randint(20, len(STORY))], story_text=STORY,
            brand=brand["name"] if brand else "",
            brand_aliases=[a for a in (brand or {}).get("aliases", "").split(",") if a],
            cooperative_slug=cooperative["slug"], cooperative_name=cooperative["name"],
            cooperative_short_name=cooperative["short_name"], alliance=alliance["name"], district=alliance["district"],
            category_slug=category[0], category_name=category[1], category_name_en=category[2],
            villages=rng.sample(villages, rng.randint(1, 3)), tags=rng.sample(tags, 2),
            price_min_fen=price, price_max_fen=price * rng.choice([1, 2]), in_stock=rng.random() > 0.1,
            sales_count=rng.randint(0, 500), live_now=rng.random() < 0.01,
            published_at=began + datetime.timedelta(hours=i),
        ))
    return sources


def run() -> Result:
    from search.backends.embedded import EmbeddedBackend
    from search.documents import document_build
    from search.selectors import search_request_build

    result = Result(NAME)
    rng = random.Random(SEED)
    sources = synthetic_sources(PRODUCTS, rng)
    directory = tempfile.mkdtemp(prefix="am-bench-search-")
    try:
        backend = EmbeddedBackend(directory=directory, index_name="bench")
        began = time.perf_counter()
        documents = [document_build(source) for source in sources]
        analysed = time.perf_counter()
        indexed = backend.rebuild(documents)
        built = time.perf_counter()
        size = backend.status()["size_bytes"]

        mix = [QUERY_MIX[i % len(QUERY_MIX)] for i in range(WARMUP + QUERIES)]
        rng.shuffle(mix)
        times: list[float] = []
        by_kind: dict[str, list[float]] = {}
        found: dict[str, int] = {}
        for i, (kind, query, filters, sort) in enumerate(mix):
            t0 = time.perf_counter()
            results = backend.search(search_request_build(query=query, filters=filters, sort=sort))
            elapsed = time.perf_counter() - t0
            found[query] = results.count
            if i >= WARMUP:
                times.append(elapsed)
                by_kind.setdefault(kind, []).append(elapsed)
        suggest_times = []
        for query in ["zhi", "zhiz", "长街", "cj", "shih", "蓝"] * 20:
            t0 = time.perf_counter()
            backend.suggest(search_request_build(query=query, completing=True))
            suggest_times.append(time.perf_counter() - t0)
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    result.check(indexed == PRODUCTS, f"indexed {indexed} of {PRODUCTS} products")
    for query in ("zhizi", "cjzz", "zhizhi", "蛏子", "宁海 蛭子", "tpsh"):
        result.check(found.get(query, 0) > 0, f"{query!r} found nothing in the synthetic catalogue")
    result.check(found.get("不存在的东西", 1) == 0, "a query for nothing found something")
    result.figures = {
        "products": PRODUCTS,
        "build_total_s": round(built - began, 2),
        "build_analysis_s": round(analysed - began, 2),
        "build_index_s": round(built - analysed, 2),
        "index_size_mb": round(size / 1_000_000, 1),
        "queries": QUERIES,
        "query_p50_ms": ms(percentile(times, 50)),
        "query_p95_ms": ms(percentile(times, 95)),
        "query_p99_ms": ms(percentile(times, 99)),
        "query_max_ms": ms(max(times)),
        "suggest_p50_ms": ms(percentile(suggest_times, 50)),
        "suggest_p99_ms": ms(percentile(suggest_times, 99)),
        **{f"query_{kind}_p50_ms": ms(percentile(values, 50)) for kind, values in sorted(by_kind.items())},
    }
    result.params = base_params() | {
        "backend": "embedded (SQLite FTS5, unicode61 over pre-analysed tokens)",
        "catalogue": f"{PRODUCTS} synthetic products from the demo vocabulary (seeded), through document_build",
        "warmup": WARMUP,
        "query_mix": [
            f"{kind}: {query or '(empty)'} {filters or ''} {sort}".strip() for kind, query, filters, sort in QUERY_MIX
        ],
        "timed": "search_request_build + EmbeddedBackend.search (count, one page of 20, facet counts, highlights); "
                 "sequential, one process; the index file in a temp dir",
        "percentile": "nearest rank",
        "seed": SEED,
    }
    return result
