"""Pages render in a fixed number of queries, however many variants, images or products."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.models import CatalogueIndexPage
from tests.factories import CategoryFactory, make_product

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    client.get(url)  # first render creates image renditions; count the steady state
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_product_page_queries_do_not_grow_with_variants_or_images(client):
    small = make_product(variants=1, images=1, slug="small-product")
    large = make_product(variants=8, images=6, slug="large-product")
    small_count = _queries(client, small.url)
    assert _queries(client, large.url) == small_count
    assert small_count <= 30


def test_category_listing_queries_do_not_grow_with_products(client):
    category = CategoryFactory(slug="query-guard")
    catalogue = CatalogueIndexPage.objects.get()
    make_product(category=category, slug="guard-1")
    one = _queries(client, f"{catalogue.url}c/query-guard/")
    for n in range(2, 9):
        make_product(category=category, slug=f"guard-{n}", variants=3, images=2)
    assert _queries(client, f"{catalogue.url}c/query-guard/") == one


def test_api_product_list_queries_do_not_grow_with_products(client):
    before = _queries(client, "/api/v1/products/?page_size=5")
    assert _queries(client, "/api/v1/products/?page_size=20") == before
