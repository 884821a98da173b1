import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(demo_search_index):
    """The demo catalogue indexed once per session: these tests only read it."""


def test_search_answers_count_results_and_facets_when_queried_in_pinyin(client, index):
    response = client.get("/api/v1/search/", {"q": "zhizi"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 5 and data["page"] == 1
    first = data["results"][0]
    assert first["title"] == "长街蛭子"
    assert first["url"] == "/products/changjie-zhizi/"
    assert first["price_min_fen"] == 6800 and first["price_max_fen"] == 29800
    assert first["highlight"] == "长街<mark>蛭子</mark>"
    assert {"id", "in_stock", "live_now", "sales_count", "subtitle"} <= set(first)
    assert data["facets"]["category"] == [{"value": "seafood", "label": "海鲜水产", "count": 5}]
    assert {"value", "label", "count"} == set(data["facets"]["price_band"][0])


def test_search_filters_sorts_and_pages_when_asked(client, index):
    response = client.get(
        "/api/v1/search/?q=&category=seafood&category=crafts&sort=price_desc&page=2&page_size=4"
    )
    data = response.json()
    assert data["count"] == 9 and len(data["results"]) == 4
    prices = [r["price_min_fen"] for r in data["results"]]
    assert prices == sorted(prices, reverse=True)


def test_invalid_parameters_answer_400_in_the_api_error_shape(client, index):
    response = client.get("/api/v1/search/", {"q": "茶", "sort": "cheapest", "page": 0, "in_stock": "maybe"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"sort", "page", "in_stock"}


def test_suggest_completes_pinyin_with_product_names_and_urls(client, index):
    data = client.get("/api/v1/search/suggest/", {"q": "zhizi"}).json()
    assert {"text": "长街蛭子", "url": "/products/changjie-zhizi/"} in data["suggestions"][:2]
    assert client.get("/api/v1/search/suggest/", {"q": ""}).json() == {"suggestions": []}


def test_schema_documents_both_search_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    search = schema["paths"]["/api/v1/search/"]["get"]
    suggest = schema["paths"]["/api/v1/search/suggest/"]["get"]
    parameters = {p["name"] for p in search["parameters"]}
    assert {"q", "sort", "page", "page_size", "category", "township", "village", "cooperative", "price_band",
            "in_stock", "live_now"} <= parameters
    assert "q" in {p["name"] for p in suggest["parameters"]}
    assert "200" in search["responses"] and "200" in suggest["responses"]
