"""API v1 of live selling: sessions, a room's state and buying from it; all in the schema."""

import pytest
from django.urls import reverse

from livestream.offers import offer_create, offer_start
from livestream.sessions import pin_set

pytestmark = pytest.mark.django_db


def test_sessions_list_puts_live_first_and_filters_by_status(client, on_air):
    body = client.get(reverse("api-live-sessions")).json()
    results = body["results"] if isinstance(body, dict) else body
    assert results[0]["id"] == on_air.pk and results[0]["status"] == "live"
    assert results[0]["playback_url"].endswith(f"{on_air.stream_key}.m3u8")
    assert results[0]["socket_path"] == f"/ws/live/{on_air.pk}/"
    ended = client.get(reverse("api-live-sessions"), {"status": "ended"}).json()
    ended = ended["results"] if isinstance(ended, dict) else ended
    assert ended and all(s["status"] == "ended" and s["playback_url"] == "" for s in ended)
    bad = client.get(reverse("api-live-sessions"), {"status": "sideways"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["status"]


def test_session_detail_has_the_pinned_product_offers_and_timeline(client, on_air, zhizi):
    pin_set(session=on_air, product=zhizi)
    sku = zhizi.variants.order_by("sort_order").first().sku
    offer = offer_start(offer=offer_create(session=on_air, sku=sku, price_fen=990, quantity=5))
    body = client.get(reverse("api-live-session", args=[on_air.pk])).json()
    assert body["pinned"]["title"] == "长街蛭子"
    assert [o["id"] for o in body["offers"]] == [offer.pk] and body["offers"][0]["remaining"] == 5
    assert [c["product"]["id"] for c in body["timeline"]] == [zhizi.pk]
    assert {p["id"] for p in body["products"]} == set(on_air.session_products.values_list("product_id", flat=True))
    assert client.get(reverse("api-live-session", args=[999999])).status_code == 404


def test_buying_from_the_room_through_the_api_carries_the_session_and_live_price(client, on_air, zhizi):
    sku = zhizi.variants.order_by("sort_order").first().sku
    offer = offer_start(offer=offer_create(session=on_air, sku=sku, price_fen=990, quantity=5, per_buyer_limit=2))
    url = reverse("api-live-session-cart", args=[on_air.pk])
    response = client.post(url, {"sku": sku, "quantity": 2, "offer_id": offer.pk}, content_type="application/json")
    assert response.status_code == 201
    line = response.json()["lines"][0]
    assert (line["unit_price_fen"], line["offer_id"], line["live_session_id"]) == (990, offer.pk, on_air.pk)
    over = client.post(url, {"sku": sku, "quantity": 1, "offer_id": offer.pk}, content_type="application/json")
    assert over.status_code == 400 and "2" in over.json()["error"]["message"]
    invalid = client.post(url, {"sku": sku, "quantity": 0}, content_type="application/json")
    assert invalid.status_code == 400 and "quantity" in invalid.json()["error"]["fields"]


def test_live_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).content.decode()
    for path in ("/api/v1/live/sessions/", "/api/v1/live/sessions/{id}/", "/api/v1/live/sessions/{id}/cart/"):
        assert path in schema
