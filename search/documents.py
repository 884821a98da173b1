"""The product document: what is indexed about a product, read from shop and analysed.

Two steps, so that the benchmark can feed synthetic products through the same code:
product_sources() reads live products from the database in batches (a fixed number of queries
per batch), and document_build() turns one ProductSource into the IndexDocument that every
backend stores.
"""

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.html import strip_tags

from search.analysis import Tokens, analyze, jieba_tokenizer
from search.facets import price_band
from search.live import live_product_ids
from shop.models import ProductPage, StockMovement, StockMovementKind
from shop.selectors import stock_available


@dataclass
class VillageRef:
    slug: str
    name: str
    township: str


@dataclass
class ProductSource:
    """A product's indexed facts, as plain data."""

    id: int
    title: str
    url: str
    subtitle: str = ""
    summary: str = ""
    story_text: str = ""
    brand: str = ""
    brand_aliases: list[str] = field(default_factory=list)
    is_gi: bool = False
    cooperative_slug: str = ""
    cooperative_name: str = ""
    cooperative_short_name: str = ""
    alliance: str = ""
    district: str = ""
    category_slug: str = ""
    category_name: str = ""
    category_name_en: str = ""
    workshop_name: str = ""
    workshop_type: str = ""
    villages: list[VillageRef] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    price_min_fen: int | None = None
    price_max_fen: int | None = None
    in_stock: bool = False
    sales_count: int = 0
    live_now: bool = False
    published_at: datetime.datetime | None = None


@dataclass
class IndexDocument:
    """A ProductSource with its analysed tokens, facet values and completion inputs."""

    source: ProductSource
    title: Tokens
    meta: Tokens
    body: Tokens
    facets: dict[str, list[tuple[str, str]]]
    suggest_inputs: list[str]

    @property
    def id(self) -> int:
        return self.source.id

    def token_fields(self) -> dict[str, str]:
        """Flat field name → space-joined tokens, as both backends store them."""
        fields = {}
        for group in ("title", "meta", "body"):
            tokens = getattr(self, group).joined()
            names = ("grams", "chars") if group == "body" else ("grams", "chars", "pinyin", "initials")
            fields.update({f"{group}_{name}": tokens[name] for name in names})
        return fields


def _meta_texts(source: ProductSource) -> list[str]:
    places = [part for v in source.villages for part in (v.name, v.township)]
    return [
        source.subtitle, source.brand, *source.brand_aliases, *source.tags, source.category_name,
        source.category_name_en, source.cooperative_name, source.cooperative_short_name, *places,
        source.alliance, source.district, source.workshop_name, source.workshop_type,
    ]


def _facets(source: ProductSource) -> dict[str, list[tuple[str, str]]]:
    facets: dict[str, list[tuple[str, str]]] = {
        "in_stock": [("true" if source.in_stock else "false", "")],
        "live_now": [("true" if source.live_now else "false", "")],
        "township": [(t, t) for t in dict.fromkeys(v.township for v in source.villages)],
        "village": [(v.slug, f"{v.township}·{v.name}") for v in source.villages],
    }
    if source.category_slug:
        facets["category"] = [(source.category_slug, source.category_name)]
    if source.cooperative_slug:
        facets["cooperative"] = [(source.cooperative_slug, source.cooperative_short_name or source.cooperative_name)]
    band = price_band(source.price_min_fen)
    if band:
        facets["price_band"] = [(band, "")]
    return facets


def _suggest_inputs(source: ProductSource, title: Tokens) -> list[str]:
    """Strings a completion may start with: the title, its word-initial tails ("蛭子"), their
    pinyin and initials, the brand and its aliases."""
    tails = [source.title[start:] for _w, start, _end in jieba_tokenizer().tokenize(source.title) if start]
    candidates = [source.title, *tails, *title.pinyin, *title.initials, source.brand, *source.brand_aliases]
    return [text for text in dict.fromkeys(candidates) if text]


def document_build(source: ProductSource) -> IndexDocument:
    """Analyse a product for indexing. Pure: the same source always gives the same document."""
    title = analyze([source.title])
    return IndexDocument(
        source=source,
        title=title,
        meta=analyze(_meta_texts(source)),
        body=analyze([source.summary, source.story_text], phonetic=False),
        facets=_facets(source),
        suggest_inputs=_suggest_inputs(source, title),
    )


# --- Reading products from shop ---------------------------------------------------------------


def _stream_text(value) -> list[str]:
    if isinstance(value, str):
        return [re.sub(r"\s+", " ", strip_tags(value)).strip()]
    if isinstance(value, dict):
        return [text for key, item in value.items() if key not in {"type", "id"} for text in _stream_text(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _stream_text(item)]
    return []


def story_text(product) -> str:
    """Every piece of text in a product's story StreamField, tags stripped."""
    raw = getattr(product.story, "raw_data", None) or []
    return " ".join(text for text in _stream_text(list(raw)) if text)


def _sales_by_sku(skus: list[str]) -> dict[str, int]:
    rows = (
        StockMovement.objects.filter(record__sku__in=skus, kind__in=[StockMovementKind.SELL, StockMovementKind.RETURN])
        .values("record__sku")
        .annotate(total=Sum("quantity"))
    )
    # Sales are recorded as negative changes and returns as positive ones.
    return {row["record__sku"]: max(0, -row["total"]) for row in rows}


def _source(product, *, available: dict[str, int], sales: dict[str, int], live: set[int]) -> ProductSource:
    variants = [v for v in product.variants.all() if v.is_active]
    prices = [v.price_fen for v in variants]
    cooperative = product.cooperative
    alliance = cooperative.alliance if cooperative and cooperative.alliance_id else None
    workshop = product.workshop
    return ProductSource(
        id=product.pk,
        title=product.title,
        url=product.get_url() or "",
        subtitle=product.subtitle,
        summary=product.summary,
        story_text=story_text(product),
        brand=product.brand.name if product.brand else "",
        brand_aliases=product.brand.alias_list if product.brand else [],
        is_gi=bool(product.brand and product.brand.is_geographic_indication),
        cooperative_slug=cooperative.slug if cooperative else "",
        cooperative_name=cooperative.name if cooperative else "",
        cooperative_short_name=cooperative.short_name if cooperative else "",
        alliance=alliance.name if alliance else "",
        district=alliance.district if alliance else "",
        category_slug=product.category.slug if product.category else "",
        category_name=product.category.name if product.category else "",
        category_name_en=product.category.name_en if product.category else "",
        workshop_name=workshop.name if workshop else "",
        workshop_type=str(workshop.get_workshop_type_display()) if workshop else "",
        villages=[VillageRef(v.slug, v.name, v.township) for v in product.origin_villages.all()],
        tags=[tag.name for tag in product.tags.all()],
        price_min_fen=min(prices) if prices else None,
        price_max_fen=max(prices) if prices else None,
        in_stock=any(available.get(v.sku, 0) > 0 for v in variants),
        sales_count=sum(sales.get(v.sku, 0) for v in variants),
        live_now=product.pk in live,
        published_at=product.first_published_at,
    )


def searchable_products():
    """Live, public products: the only ones the index may hold."""
    return ProductPage.objects.live().public()


def product_sources(*, product_ids: Iterable[int] | None = None, batch_size: int = 200) -> Iterator[ProductSource]:
    """ProductSources of live, public products (all of them, or those of product_ids)."""
    products = searchable_products().select_related(
        "brand", "category", "workshop", "cooperative__alliance"
    ).prefetch_related("variants", "origin_villages", "tags").order_by("pk")
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
    live = live_product_ids()
    ids = list(products.values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        batch = list(products.filter(pk__in=ids[start : start + batch_size]))
        skus = [v.sku for product in batch for v in product.variants.all()]
        available = stock_available(skus=skus)
        sales = _sales_by_sku(skus)
        for product in batch:
            yield _source(product, available=available, sales=sales, live=live)


def searchable_product_count() -> int:
    return searchable_products().count()
