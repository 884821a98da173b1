"""API v1 for buying: cart, checkout, payment and order visibility, in the house error shape."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from orders.buying import checkout
from orders.models import Order, OrderStatus
from shop.inventory import stock_reserve
from shop.selectors import stock_available

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_outside_transactions")]

SKU = "CJ-ZZ-500G"  # ¥68.00, 120 in stock, chilled: cold-chain delivery ¥25
ADDRESS = {
    "phone": "13800138000", "email": "buyer@example.com", "recipient": "王小明", "province": "浙江省",
    "city": "宁波市", "district": "宁海县", "address_detail": "长街镇长街大道 18 号",
}


@pytest.fixture
def api():
    return APIClient()  # DRF's test client: session cookies kept, CSRF not enforced


def _add(api, sku=SKU, quantity=1, **extra):
    return api.post("/api/v1/cart/lines/", {"sku": sku, "quantity": quantity, **extra}, format="json")


def _place(api, **contact):
    _add(api, quantity=2)
    response = api.post("/api/v1/checkout/", ADDRESS | contact, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _in_15_minutes() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=15)


def _assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert {"code", "message", "fields"} <= set(error)
    return error


# --- cart ---------------------------------------------------------------------------------------


def test_empty_cart_is_served_without_creating_one(api):
    body = api.get("/api/v1/cart/").json()
    assert body["lines"] == [] and body["total_fen"] == 0 and body["shipping_fen"] == 0 and body["currency"] == "CNY"


def test_adding_a_sku_prices_the_cart_in_fen_with_delivery(api):
    response = _add(api, sku="cj-zz-500g", quantity=2)
    assert response.status_code == 201
    body = response.json()
    [line] = body["lines"]
    assert (line["sku"], line["quantity"], line["unit_price_fen"], line["line_total_fen"]) == (SKU, 2, 6800, 13600)
    assert line["product_title"] == "长街蛭子" and line["variant_label"] and line["problem"] == ""
    assert line["available"] == 120
    totals = (body["subtotal_fen"], body["shipping_method"], body["shipping_fen"], body["total_fen"])
    assert totals == (13600, "cold_chain", 2500, 16100)
    assert body["currency"] == "CNY" and body["total_display"] == "¥161.00"
    assert api.get("/api/v1/cart/").json() == body  # the session keeps the cart


def test_adding_the_same_sku_again_adds_to_its_line(api):
    _add(api, quantity=1)
    body = _add(api, quantity=2).json()
    assert [(line["sku"], line["quantity"]) for line in body["lines"]] == [(SKU, 3)]


def test_updating_and_removing_a_line(api):
    line_id = _add(api).json()["lines"][0]["id"]
    body = api.patch(f"/api/v1/cart/lines/{line_id}/", {"quantity": 3}, format="json").json()
    assert body["lines"][0]["quantity"] == 3 and body["subtotal_fen"] == 20400
    response = api.delete(f"/api/v1/cart/lines/{line_id}/")
    assert response.status_code == 200 and response.json()["lines"] == []
    assert api.delete(f"/api/v1/cart/lines/{line_id}/").status_code == 200  # idempotent


def test_setting_quantity_zero_removes_the_line(api):
    line_id = _add(api).json()["lines"][0]["id"]
    assert api.patch(f"/api/v1/cart/lines/{line_id}/", {"quantity": 0}, format="json").json()["lines"] == []


def test_prices_sent_by_the_client_are_ignored(api):
    body = _add(
        api, quantity=1, unit_price_fen=1, price_fen=1, line_total_fen=1, subtotal_fen=1, total_fen=1, shipping_fen=0,
    ).json()
    assert body["lines"][0]["unit_price_fen"] == 6800 and body["total_fen"] == 9300
    line_id = body["lines"][0]["id"]
    body = api.patch(f"/api/v1/cart/lines/{line_id}/", {"quantity": 2, "unit_price_fen": 1}, format="json").json()
    assert body["lines"][0]["line_total_fen"] == 13600
    tampered = ADDRESS | {"total_fen": 1, "subtotal_fen": 1, "shipping_fen": 0}
    order = api.post("/api/v1/checkout/", tampered, format="json").json()
    assert (order["subtotal_fen"], order["shipping_fen"], order["total_fen"]) == (13600, 2500, 16100)
    assert Order.objects.get(number=order["number"]).total_fen == 16100


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"sku": "NO-SUCH-SKU", "quantity": 1}, "cart_error"),
        ({"sku": "CJ-ZZ-GIFT", "quantity": 31}, "cart_error"),  # 30 in stock
        ({"sku": "CJ-XP-500G", "quantity": 1}, "cart_error"),  # sold out in the demo data
        ({"sku": SKU, "quantity": 100}, "invalid"),  # past the per-line limit of 99
        ({"quantity": 1}, "invalid"),
    ],
)
def test_cart_refusals_are_400_in_the_house_error_shape(api, payload, code):
    response = api.post("/api/v1/cart/lines/", payload, format="json")
    _assert_error_shape(response, 400, code)
    assert api.get("/api/v1/cart/").json()["lines"] == []


def test_quantity_over_stock_is_a_cart_error(api):
    line_id = _add(api).json()["lines"][0]["id"]
    stock_reserve(quantities={SKU: 118}, reference="OTHER-BUYER", expires_at=_in_15_minutes())
    response = api.patch(f"/api/v1/cart/lines/{line_id}/", {"quantity": 3}, format="json")
    error = _assert_error_shape(response, 400, "cart_error")
    assert "2" in error["message"]
    assert api.get("/api/v1/cart/").json()["lines"][0]["quantity"] == 1


def test_invalid_quantity_names_the_field(api):
    error = _assert_error_shape(_add(api, quantity=0), 400, "invalid")
    assert "quantity" in error["fields"]


def test_a_line_of_another_cart_cannot_be_changed(api):
    line_id = _add(api).json()["lines"][0]["id"]
    other = APIClient()
    response = other.patch(f"/api/v1/cart/lines/{line_id}/", {"quantity": 5}, format="json")
    _assert_error_shape(response, 400, "cart_error")
    other.delete(f"/api/v1/cart/lines/{line_id}/")
    assert api.get("/api/v1/cart/").json()["lines"][0]["quantity"] == 1


def test_a_logged_in_shopper_uses_the_account_cart(api, django_user_model):
    user = django_user_model.objects.create_user("shopper", password="pw-for-tests-only")
    api.force_authenticate(user)
    _add(api, quantity=2)
    assert user.cart.lines.get().quantity == 2


def test_logged_in_writes_need_the_csrf_token(django_user_model):
    user = django_user_model.objects.create_user("shopper", password="pw-for-tests-only")
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(user)
    response = _add(api)
    _assert_error_shape(response, 403, "permission_denied")
    assert "CSRF" in response.json()["error"]["message"]


# --- checkout -----------------------------------------------------------------------------------


def test_checkout_places_the_order_holds_stock_and_empties_the_cart(api):
    before = stock_available(skus=[SKU])[SKU]
    order = _place(api, note="请尽快发货")
    assert order["status"] == OrderStatus.PENDING_PAYMENT and order["number"].startswith("LJ")
    assert [(l["sku"], l["quantity"], l["line_total_fen"]) for l in order["lines"]] == [(SKU, 2, 13600)]
    assert order["total_fen"] == 16100 and order["currency"] == "CNY" and order["reserved_until"]
    assert [e["status"] for e in order["events"]] == [OrderStatus.PENDING_PAYMENT]
    assert stock_available(skus=[SKU])[SKU] == before - 2
    assert api.get("/api/v1/cart/").json()["lines"] == []
    assert api.session["order_numbers"] == [order["number"]]


def test_checkout_without_address_is_refused(api):
    _add(api)
    count = Order.objects.count()
    _assert_error_shape(api.post("/api/v1/checkout/", {"phone": "13800138000"}, format="json"), 400, "checkout_error")
    assert Order.objects.count() == count
    assert len(api.get("/api/v1/cart/").json()["lines"]) == 1


def test_checkout_with_a_bad_phone_names_the_field(api):
    _add(api)
    response = api.post("/api/v1/checkout/", ADDRESS | {"phone": "12345"}, format="json")
    error = _assert_error_shape(response, 400, "invalid")
    assert "phone" in error["fields"]


def test_checkout_of_an_empty_cart_is_refused(api):
    _assert_error_shape(api.post("/api/v1/checkout/", ADDRESS, format="json"), 400, "checkout_error")


def test_checkout_is_409_sold_out_when_another_buyer_takes_the_last_units_meanwhile(api, monkeypatch):
    _add(api, quantity=2)
    real_cart_summary = checkout.cart_summary

    def cart_summary_then_someone_else_buys(*, cart):
        summary = real_cart_summary(cart=cart)  # the cart still looked fine...
        left = stock_available(skus=[SKU])[SKU]
        stock_reserve(quantities={SKU: left - 1}, reference="OTHER-BUYER", expires_at=_in_15_minutes())
        return summary  # ...but only 1 unit is left when checkout reserves

    monkeypatch.setattr(checkout, "cart_summary", cart_summary_then_someone_else_buys)
    count = Order.objects.count()
    error = _assert_error_shape(api.post("/api/v1/checkout/", ADDRESS, format="json"), 409, "sold_out")
    assert error["shortages"] == [{"sku": SKU, "available": 1}]
    assert Order.objects.count() == count
    assert len(api.get("/api/v1/cart/").json()["lines"]) == 1  # the cart is kept to adjust


# --- payment ------------------------------------------------------------------------------------


def test_payment_start_returns_a_client_secret_for_the_order_total(api, localstripe):
    order = _place(api)
    response = api.post(f"/api/v1/orders/{order['number']}/payment/")
    assert response.status_code == 200
    body = response.json()
    assert body["client_secret"].startswith(body["intent_id"])
    assert (body["amount_fen"], body["currency"], body["publishable_key"]) == (16100, "CNY", "pk_test_alliance")
    assert api.post(f"/api/v1/orders/{order['number']}/payment/").json()["intent_id"] == body["intent_id"]


def test_payment_confirm_with_a_card_then_the_order_is_paid_once_stripe_says_so(api, localstripe):
    from orders.buying.payments import payment_reconcile

    order = _place(api)
    intent_id = api.post(f"/api/v1/orders/{order['number']}/payment/").json()["intent_id"]
    response = api.post(
        f"/api/v1/orders/{order['number']}/payment/confirm/",
        {"payment_method_id": localstripe.payment_method()}, format="json",
    )
    assert response.status_code == 200
    assert response.json()["intent_id"] == intent_id and response.json()["last_error"] == ""
    payment_reconcile(payment=Order.objects.get(number=order["number"]).payments.get())  # the webhook's work
    assert api.get(f"/api/v1/orders/{order['number']}/").json()["status"] == OrderStatus.PAID


def test_a_declined_card_leaves_the_payment_failed_with_the_reason(api, localstripe):
    order = _place(api)
    api.post(f"/api/v1/orders/{order['number']}/payment/")
    body = api.post(
        f"/api/v1/orders/{order['number']}/payment/confirm/",
        {"payment_method_id": localstripe.payment_method("4000000000000341")}, format="json",
    ).json()
    assert body["status"] == "failed" and body["last_error"]


def test_payment_confirm_without_an_explicit_start_starts_the_attempt_itself(api, localstripe):
    order = _place(api)
    response = api.post(
        f"/api/v1/orders/{order['number']}/payment/confirm/", {"payment_method_id": localstripe.payment_method()}, format="json"
    )
    assert response.status_code == 200
    assert Order.objects.get(number=order["number"]).payments.count() == 1


def test_a_cancelled_order_cannot_be_paid(api, localstripe):
    from orders.buying.expiry import order_cancel

    order = _place(api)
    order_cancel(order=Order.objects.get(number=order["number"]))
    _assert_error_shape(api.post(f"/api/v1/orders/{order['number']}/payment/"), 409, "payment_error")


# --- visibility ---------------------------------------------------------------------------------


def test_an_order_is_hidden_from_other_sessions(api, localstripe):
    order = _place(api)
    assert api.get(f"/api/v1/orders/{order['number']}/").status_code == 200
    stranger = APIClient()
    for response in (
        stranger.get(f"/api/v1/orders/{order['number']}/"),
        stranger.post(f"/api/v1/orders/{order['number']}/payment/"),
        stranger.post(
            f"/api/v1/orders/{order['number']}/payment/confirm/", {"payment_method_id": "pm_x"}, format="json"
        ),
    ):
        _assert_error_shape(response, 404, "not_found")
    assert not Order.objects.get(number=order["number"]).payments.exists()


def test_unknown_order_number_is_the_same_404(api):
    _assert_error_shape(api.get("/api/v1/orders/LJ20000101-XXXXXX/"), 404, "not_found")


def test_a_logged_in_shopper_lists_and_reads_own_orders_from_any_session(api, django_user_model):
    user = django_user_model.objects.create_user("shopper", password="pw-for-tests-only")
    api.force_login(user)
    order = _place(api)
    other_device = APIClient()
    other_device.force_login(user)
    assert other_device.get(f"/api/v1/orders/{order['number']}/").status_code == 200
    listing = other_device.get("/api/v1/orders/").json()
    assert [o["number"] for o in listing["results"]] == [order["number"]]
    assert listing["results"][0]["total_fen"] == 16100
    someone_else = APIClient()
    someone_else.force_login(django_user_model.objects.create_user("other", password="pw-for-tests-only"))
    assert someone_else.get(f"/api/v1/orders/{order['number']}/").status_code == 404
    assert someone_else.get("/api/v1/orders/").json()["results"] == []


def test_order_list_needs_a_login(api):
    assert api.get("/api/v1/orders/").status_code == 403


# --- staff refunds by line ---------------------------------------------------------------------


@pytest.fixture
def staff_api(django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("refund-staff", password="pw-for-tests-only")
    user.user_permissions.add(Permission.objects.get(codename="change_order"))
    client = APIClient()
    client.force_authenticate(user)
    return client


def _refunds_url(order: Order) -> str:
    return f"/api/v1/orders/{order.number}/refunds/"


def test_staff_refund_lines_by_quantity_and_amount_with_the_delivery_fee(staff_api, localstripe):
    from tests.orders.helpers import paid

    order = paid(localstripe, ("CJ-ZZ-500G", 2), ("SM-HS-250G", 3))
    clams, peanuts = order.lines.get(sku="CJ-ZZ-500G"), order.lines.get(sku="SM-HS-250G")
    response = staff_api.post(_refunds_url(order), {
        "lines": [{"line_id": clams.pk, "quantity": 1}, {"line_id": peanuts.pk, "amount_fen": 150}],
        "delivery_fee_fen": 500, "reason": "一只坏了",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "goods" and body["status"] == "succeeded" and body["amount_fen"] == 6800 + 150 + 500
    assert body["lines"] == [{"line_id": clams.pk, "amount_fen": 6800, "quantity": 1},
                             {"line_id": peanuts.pk, "amount_fen": 150, "quantity": None}]
    assert body["order_status"] == "partially_refunded" and body["order_refunded_fen"] == 7450


@pytest.mark.parametrize("payload, field", [
    ({"lines": [{"line_id": "LINE", "amount_fen": 13601}]}, "lines[0]"),  # more than the line
    ({"lines": [{"line_id": 999_999, "amount_fen": 100}]}, "lines[0]"),  # unknown line
    ({"lines": [{"line_id": "LINE", "amount_fen": -1}]}, "lines"),  # negative
    ({"lines": [{"line_id": "LINE", "quantity": 3}]}, "lines[0]"),  # more units than bought
    ({"lines": [{"line_id": "LINE", "quantity": 1, "amount_fen": 1}]}, "lines"),  # both
    ({"delivery_fee_fen": 2501}, "delivery_fee_fen"),
    ({"lines": [{"line_id": "OTHER", "amount_fen": 100}]}, "lines[0]"),  # a line of another order
])
def test_bad_refunds_are_400_naming_the_field_and_change_nothing(staff_api, localstripe, payload, field):
    from tests.orders.helpers import paid

    order, other = paid(localstripe, ("CJ-ZZ-500G", 2)), paid(localstripe, ("CJ-ZZ-500G", 1))
    ids = {"LINE": order.lines.get().pk, "OTHER": other.lines.get().pk}
    for line in payload.get("lines", []):
        line["line_id"] = ids.get(line["line_id"], line["line_id"])
    error = _assert_error_shape(staff_api.post(_refunds_url(order), payload, format="json"), 400, "invalid")
    assert field in error["fields"], error
    order.refresh_from_db()
    assert not order.refunds.exists() and order.refunded_fen == 0


def test_refunding_an_unpaid_order_is_409(staff_api):
    order = Order.objects.get(number=_place(APIClient())["number"])
    response = staff_api.post(_refunds_url(order), {"lines": [{"line_id": order.lines.get().pk, "quantity": 1}]}, format="json")
    _assert_error_shape(response, 409, "not_refundable")


def test_only_staff_who_may_change_orders_can_refund(api, django_user_model, localstripe):
    from tests.orders.helpers import paid

    order = paid(localstripe, ("CJ-ZZ-500G", 1))
    payload = {"lines": [{"line_id": order.lines.get().pk, "quantity": 1}]}
    _assert_error_shape(api.post(_refunds_url(order), payload, format="json"), 403, "not_authenticated")
    api.force_authenticate(django_user_model.objects.create_user("shopper", password="pw-for-tests-only"))
    _assert_error_shape(api.post(_refunds_url(order), payload, format="json"), 403, "permission_denied")
    assert not order.refunds.exists()


# --- schema -------------------------------------------------------------------------------------


def test_openapi_schema_describes_the_buying_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for path, methods in {
        "/api/v1/cart/": {"get"},
        "/api/v1/cart/lines/": {"post"},
        "/api/v1/cart/lines/{line_id}/": {"patch", "delete"},
        "/api/v1/checkout/": {"post"},
        "/api/v1/orders/": {"get"},
        "/api/v1/orders/{number}/": {"get"},
        "/api/v1/orders/{number}/payment/": {"post"},
        "/api/v1/orders/{number}/payment/confirm/": {"post"},
        "/api/v1/orders/{number}/refunds/": {"post"},
    }.items():
        assert methods <= set(paths[path]), path
    assert "409" in paths["/api/v1/checkout/"]["post"]["responses"]
    refund = paths["/api/v1/orders/{number}/refunds/"]["post"]
    assert {"201", "400", "403", "404", "409"} <= set(refund["responses"])
    refund_line = schema["components"]["schemas"]["RefundLineRequestRequest"]["properties"]
    assert set(refund_line) == {"line_id", "amount_fen", "quantity"}
    add_line = schema["components"]["schemas"]["CartLineAddRequest"]["properties"]
    assert set(add_line) == {"sku", "quantity"}  # no price can be sent
    assert schema["components"]["schemas"]["CartLine"]["properties"]["unit_price_fen"]["type"] == "integer"
