import pytest

from shop.models import ProductPage, StockRecord

pytestmark = pytest.mark.django_db


def test_product_list_reports_prices_in_fen_with_currency(client):
    body = client.get("/api/v1/products/?page_size=100").json()
    assert body["count"] == 22
    zhizi = next(p for p in body["results"] if p["slug"] == "changjie-zhizi")
    assert zhizi["price_min_fen"] == 6800 and zhizi["price_max_fen"] == 29800
    assert zhizi["currency"] == "CNY" and zhizi["price_min_display"] == "¥68.00"
    assert zhizi["is_geographic_indication"] is True
    assert zhizi["image"].endswith(".webp")


@pytest.mark.parametrize(
    "query, expected_slugs",
    [
        ("category=crafts", {"xiwu-xiangnang", "xiwu-tuanshan", "xiwu-sijin"}),
        ("cooperative=xiwu-qiangcun", {"xiwu-xiangnang", "xiwu-tuanshan", "xiwu-sijin", "xiwu-xiuhua-ketang"}),
        ("gi=true&category=seafood&shipping_profile=chilled", {"changjie-zhizi"}),
        ("village=tangxi", {"siming-leisun", "siming-lanmei"}),
        ("price_max_fen=2800", {"siming-sunfu-huasheng", "changjie-zicai"}),
    ],
)
def test_product_list_filters(client, query, expected_slugs):
    body = client.get(f"/api/v1/products/?{query}&page_size=100").json()
    assert {p["slug"] for p in body["results"]} == expected_slugs


def test_product_list_in_stock_filter_follows_stock_records(client):
    StockRecord.objects.filter(sku__in=["CJ-ZZ-500G", "CJ-ZZ-1KG", "CJ-ZZ-GIFT"]).update(on_hand=0)
    slugs = {p["slug"] for p in client.get("/api/v1/products/?in_stock=false&page_size=100").json()["results"]}
    assert "changjie-zhizi" in slugs
    assert "changjie-xiapi" not in slugs  # one of its two variants is still in stock


def test_product_list_sorts_by_price(client):
    prices = [p["price_min_fen"] for p in client.get("/api/v1/products/?sort=price&page_size=100").json()["results"]]
    assert prices == sorted(prices)


def test_product_detail_has_variants_with_availability(client):
    product = ProductPage.objects.get(slug="changjie-xiapi")
    body = client.get(f"/api/v1/products/{product.pk}/").json()
    variants = {v["sku"]: v for v in body["variants"]}
    assert variants["CJ-XP-200G"]["available"] == 90 and variants["CJ-XP-200G"]["in_stock"] is True
    assert variants["CJ-XP-500G"]["available"] == 0 and variants["CJ-XP-500G"]["in_stock"] is False
    assert variants["CJ-XP-200G"]["price_fen"] == 3900 and variants["CJ-XP-200G"]["currency"] == "CNY"
    assert body["cooperative"]["slug"] == "changjie-qiangcun"
    assert body["gallery"][0]["url"].endswith(".webp")


def test_product_detail_of_unknown_product_is_a_404_in_the_error_shape(client):
    response = client.get("/api/v1/products/999999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_invalid_filter_value_is_a_400_naming_the_field(client):
    response = client.get("/api/v1/products/?price_min_fen=lots")
    assert response.status_code == 400
    assert "price_min_fen" in response.json()["error"]["fields"]


def test_unpublished_product_is_not_in_the_api(client):
    product = ProductPage.objects.get(slug="changjie-zicai")
    product.unpublish()
    assert client.get(f"/api/v1/products/{product.pk}/").status_code == 404


def test_categories_cooperatives_and_villages(client):
    categories = client.get("/api/v1/categories/").json()
    assert {"slug": "seafood", "product_count": 6}.items() <= next(c for c in categories if c["slug"] == "seafood").items()
    cooperatives = client.get("/api/v1/cooperatives/").json()["results"]
    longguan = next(c for c in cooperatives if c["slug"] == "longguan-qiangcun")
    assert len(longguan["shareholdings"]) == 6
    village = client.get("/api/v1/villages/xiao/").json()
    assert village["income_target_fen"] == 15_000_000 and village["currency"] == "CNY"


def test_public_api_never_exposes_participants_private_fields(client):
    responses = [client.get(url).content.decode() for url in ("/api/v1/villages/", "/api/v1/cooperatives/", "/api/v1/products/")]
    for text in responses:
        assert "bank" not in text and "phone\"" not in text.replace("service_phone\"", "")


def test_openapi_schema_describes_the_catalogue(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    for path in ("/api/v1/products/", "/api/v1/products/{id}/", "/api/v1/categories/", "/api/v1/cooperatives/", "/api/v1/villages/"):
        assert path in schema["paths"]
    variant = schema["components"]["schemas"]["Variant"]["properties"]
    assert variant["price_fen"]["type"] == "integer"


def test_api_docs_page_is_served_without_external_assets(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html


def test_product_held_entirely_by_checkouts_is_listed_as_out_of_stock(client):
    import datetime

    from django.utils import timezone

    from shop.inventory import stock_reserve

    # 长街头水紫菜: 200 + 80 units, all held by unpaid checkouts
    stock_reserve(quantities={"CJ-ZC-100G": 200, "CJ-ZC-300G": 80}, reference="HELD-ALL",
                  expires_at=timezone.now() + datetime.timedelta(minutes=10))
    listed = {p["slug"]: p for p in client.get("/api/v1/products/?page_size=100").json()["results"]}
    assert listed["changjie-zicai"]["in_stock"] is False
    assert listed["changjie-zhizi"]["in_stock"] is True
