"""The index follows the catalogue: publish, unpublish, stock, price and live status changes."""

import pytest

from search.indexing import product_index_rebuild, product_index_update
from search.selectors import product_search
from shop.inventory import stock_adjust, stock_receive
from shop.models import ProductPage
from shop.signals import products_changed
from tests.factories import make_product

pytestmark = pytest.mark.django_db

LIVE_IDS: set[int] = set()


def live_ids_for_tests() -> set[int]:
    return set(LIVE_IDS)


@pytest.fixture
def index(search_dir):
    product_index_rebuild()
    return search_dir


def _hits(query: str, **kwargs) -> dict[str, object]:
    return {hit.title: hit for hit in product_search(query=query, **kwargs).hits}


def test_product_is_found_when_published(index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_product(title="象山红美人柑橘", slug="xiangshan-hongmeiren")
    assert "象山红美人柑橘" in _hits("hongmeiren")


def test_product_is_gone_when_unpublished(index, django_capture_on_commit_callbacks):
    product = ProductPage.objects.get(slug="siming-lanmei")
    assert "四明山高山蓝莓" in _hits("lanmei")
    with django_capture_on_commit_callbacks(execute=True):
        product.unpublish()
    assert "四明山高山蓝莓" not in _hits("lanmei")


def test_new_price_is_indexed_when_a_revision_is_published(index, django_capture_on_commit_callbacks):
    product = ProductPage.objects.get(slug="siming-leisun")
    variants = list(product.variants.all())
    for variant in variants:
        if variant.sku == "SM-LS-2500G":
            variant.price_fen = 3300
    product.variants = variants
    with django_capture_on_commit_callbacks(execute=True):
        product.save_revision().publish()
    assert _hits("leisun")["四明山雷笋"].price_min_fen == 3300


def test_product_shows_sold_out_when_its_stock_runs_out(index, django_capture_on_commit_callbacks):
    product = ProductPage.objects.get(slug="xiwu-tuanshan")
    with django_capture_on_commit_callbacks(execute=True):
        for variant in product.variants.all():
            stock_adjust(sku=variant.sku, delta=-10 if variant.sku.endswith("PLUM") else -8, reason="盘点")
    assert _hits("团扇")["西坞刺绣团扇"].in_stock is False
    assert "西坞刺绣团扇" in _hits("", filters={"in_stock": ["false"]})
    with django_capture_on_commit_callbacks(execute=True):
        stock_receive(sku="XW-TS-PLUM", quantity=2, reason="补货")
    assert _hits("团扇")["西坞刺绣团扇"].in_stock is True


def test_product_is_boosted_and_faceted_when_it_goes_live(index, settings, django_capture_on_commit_callbacks):
    settings.SEARCH_LIVE_PRODUCT_IDS = "tests.search.test_indexing.live_ids_for_tests"
    dried = ProductPage.objects.get(slug="changjie-zhizi-gan")
    assert list(_hits("zhizi"))[0] == "长街蛭子"
    LIVE_IDS.add(dried.pk)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            products_changed.send(sender=None, product_ids=[dried.pk])
        hits = _hits("zhizi")
        assert list(hits)[0] == "长街蛭子干" and hits["长街蛭子干"].live_now
        assert list(_hits("", filters={"live_now": ["true"]})) == ["长街蛭子干"]
    finally:
        LIVE_IDS.clear()


def test_nothing_is_enqueued_when_the_transaction_rolls_back(index):
    # No on_commit capture: the test's transaction never commits, so the index is untouched.
    make_product(title="不会出现的商品", slug="never-indexed")
    assert _hits("不会出现的商品") == {}


def test_update_is_idempotent_and_removes_products_no_longer_live(index):
    product = ProductPage.objects.get(slug="siming-shanmi")
    assert product_index_update(product_ids=[product.pk]) == {"indexed": 1, "removed": 0}
    assert product_index_update(product_ids=[product.pk]) == {"indexed": 1, "removed": 0}
    ProductPage.objects.filter(pk=product.pk).update(live=False)
    assert product_index_update(product_ids=[product.pk]) == {"indexed": 0, "removed": 1}
    assert "四明山高山香米" not in _hits("香米")


def test_renamed_cooperative_is_searchable_when_saved(index, django_capture_on_commit_callbacks):
    from shop.models import Cooperative

    cooperative = Cooperative.objects.get(slug="xiwu-qiangcun")
    cooperative.short_name = "锦绣西坞"
    with django_capture_on_commit_callbacks(execute=True):
        cooperative.save()
    assert set(_hits("锦绣西坞")) >= {"西坞刺绣香囊", "西坞刺绣团扇"}
