"""Every page type of the storefront renders with the demo data."""

import pytest
from django.urls import reverse

from cms.models import HomePage, StandardPage, StoryIndexPage, StoryPage
from shop.models import CatalogueIndexPage, Category, Cooperative, ProductPage, Village, Workshop

pytestmark = pytest.mark.django_db


def _get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


def test_home_page_leads_with_changjie_razor_clams(client):
    html = _get(client, "/")
    assert HomePage.objects.get().hero_product.title == "长街蛭子"
    assert "长街蛭子" in html
    assert ProductPage.objects.get(slug="changjie-zhizi").url in html


def test_home_page_speaks_chinese_even_to_an_english_browser(client):
    html = _get(client, "/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-Hans"' in html
    assert "全部商品" in html


def test_language_switch_turns_the_storefront_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = _get(client, "/")
    assert 'lang="en"' in html
    assert "All products" in html


def test_catalogue_lists_products_with_pagination(client):
    catalogue = CatalogueIndexPage.objects.get()
    first = _get(client, catalogue.url)
    assert "22 件商品" in first or "22 products" in first
    second = _get(client, catalogue.url + "?page=2")
    assert 'rel="prev"' in second


def test_catalogue_sorts_by_price(client):
    catalogue = CatalogueIndexPage.objects.get()
    html = _get(client, catalogue.url + "?sort=price_asc")
    # 头水紫菜 (from ¥26.00) is the cheapest product of the demo, 笋脯花生 (¥28.00) next.
    assert html.index("长街头水紫菜") < html.index("笋脯花生") < html.index("长街淡晒虾皮")
    html_desc = _get(client, catalogue.url + "?sort=price_desc")
    # 刺绣丝巾 (from ¥458.00) is the dearest, then the homestay (from ¥388.00).
    assert html_desc.index("西坞刺绣丝巾") < html_desc.index("李岙山居民宿") < html_desc.index("西坞刺绣团扇")


def test_unknown_sort_falls_back_to_newest(client):
    _get(client, CatalogueIndexPage.objects.get().url + "?sort=drop-table")


def test_category_listing_shows_only_that_category(client):
    catalogue = CatalogueIndexPage.objects.get()
    html = _get(client, f"{catalogue.url}c/crafts/")
    assert "西坞刺绣香囊" in html
    assert "长街蛭子干" not in html


def test_unknown_category_is_404(client):
    assert client.get(CatalogueIndexPage.objects.get().url + "c/no-such-thing/").status_code == 404


def test_product_page_shows_variants_prices_producer_panel_and_gi_badge(client):
    product = ProductPage.objects.get(slug="changjie-zhizi")
    html = _get(client, product.url)
    assert "500g 鲜活" in html and "¥68.00" in html and "¥128.00" in html
    assert "宁海县长街镇强村发展有限公司" in html
    for village in ("西岙村", "伍山村", "大湖村", "岳井村"):
        assert village in html
    assert "地理标志" in html  # the GI badge
    assert "长街蛏子" in html  # the mark's other spelling
    assert "format-webp" in html or ".webp" in html


def test_product_page_marks_sold_out_variant(client):
    html = _get(client, ProductPage.objects.get(slug="changjie-xiapi").url)
    assert "variant--sold-out" in html


@pytest.mark.parametrize(
    "name, model, slug",
    [("shop:cooperative", Cooperative, "longguan-qiangcun"), ("shop:village", Village, "xiao"), ("shop:workshop", Workshop, "xiwu-embroidery")],
)
def test_producer_pages_render(client, name, model, slug):
    html = _get(client, reverse(name, args=[slug]))
    assert model.objects.get(slug=slug).name in html


def test_cooperative_page_names_its_six_shareholder_villages(client):
    html = _get(client, reverse("shop:cooperative", args=["longguan-qiangcun"]))
    for village in ("李岙村", "龙谷村", "雪岙村", "观顶村", "大路村", "五龙潭村"):
        assert village in html


def test_workshop_page_shows_counts_not_participant_names(client):
    html = _get(client, reverse("shop:workshop", args=["xiwu-embroidery"]))
    assert "蒋凤仙" not in html


def test_unknown_producer_is_404(client):
    assert client.get(reverse("shop:village", args=["nowhere"])).status_code == 404


def test_producer_directory_renders(client):
    html = _get(client, reverse("shop:producers"))
    assert "西坞刺绣共富工坊" in html


def test_story_pages_render(client):
    _get(client, StoryIndexPage.objects.get().url)
    for story in StoryPage.objects.all():
        assert story.title in _get(client, story.url)


def test_standard_page_renders(client):
    page = HomePage.objects.get().add_child(instance=StandardPage(title="关于我们", slug="about", intro="联建优品简介"))
    page.save_revision().publish()
    assert "联建优品简介" in _get(client, page.url)


def test_healthz_answers(client):
    assert client.get("/healthz/").json() == {"status": "ok"}


def test_category_names_switch_with_language(client):
    client.cookies["django_language"] = "en"
    html = _get(client, CatalogueIndexPage.objects.get().url)
    assert Category.objects.get(slug="seafood").name_en in html
