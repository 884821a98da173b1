"""The buying pages through Django's test client: cart, checkout, payment, orders, account."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from orders.buying import views
from orders.buying.accounts import customer_register
from orders.buying.payments import payment_confirm_card
from orders.models import Address, Cart, Order, OrderStatus, PaymentStatus
from shop.inventory import SoldOut, stock_reserve
from shop.models import ProductPage
from shop.selectors import stock_available

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_outside_transactions")]

PASSWORD = "Zhizi-2026-strong"
ADDRESS = {
    "mobile": "13800138000", "email": "buyer@example.com", "recipient": "王小明", "province": "浙江省",
    "city": "宁波市", "district": "宁海县", "detail": "长街镇长街大道 18 号",
}


def _add(client, sku: str, quantity: int = 1, **extra):
    return client.post("/cart/add/", {"sku": sku, "quantity": quantity, **extra})


def _cart_of(client) -> Cart:
    return Cart.objects.get(pk=client.session["cart_id"])


def _lines(cart: Cart) -> list[tuple[str, int]]:
    return [(line.sku, line.quantity) for line in cart.lines.order_by("sku")]


def _place(client, *items: tuple[str, int], **form) -> Order:
    for sku, quantity in items:
        assert _add(client, sku, quantity).status_code == 302
    response = client.post("/checkout/", {**ADDRESS, **form})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Order.objects.get(number=response.url.split("/")[2])


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def shopper(db):
    return customer_register(identifier="shopper@example.com", password=PASSWORD)


# --- Cart -----------------------------------------------------------------------------------


def test_cart_page_says_empty_when_nothing_was_added(client):
    response = client.get("/cart/")
    assert response.status_code == 200
    assert response.context["cart"].lines == []
    assert 'href="/products/"' in _html(response)


def test_item_lands_in_the_cart_at_todays_price_when_posted_from_the_product_page(client):
    # when
    response = _add(client, "CJ-ZZ-500G", 2)
    # then
    assert response.status_code == 302 and response.url == "/cart/"
    page = client.get("/cart/")
    html = _html(page)
    assert "长街蛭子" in html and "500g 鲜活" in html
    assert "¥136.00" in html  # 2 × ¥68.00
    assert page.context["summary"].shipping_method == "cold_chain"
    assert page.context["summary"].total_fen == 13600 + 2500
    assert 'data-cart-count="2"' in html  # the header counts items


def test_tampered_price_fields_change_nothing_when_posted_with_the_sku(client):
    _add(client, "CJ-ZZ-500G", 1, price="0.01", price_fen=1, unit_price_fen=1, total_fen=1, line_total_fen=1)
    line = client.get("/cart/").context["cart"].lines[0]
    assert (line.unit_price_fen, line.line_total_fen) == (6800, 6800)
    order = _place(client, subtotal_fen=1, total_fen=1, shipping_fen=0)
    assert (order.subtotal_fen, order.shipping_fen, order.total_fen) == (6800, 2500, 9300)
    assert order.lines.get().unit_price_fen == 6800


def test_sold_out_item_shows_the_reason_and_keeps_the_cart_when_added(client):
    _add(client, "CJ-ZZ-500G", 1)
    product_url = ProductPage.objects.get(slug="changjie-zhizi").url
    response = _add(client, "CJ-XP-500G", 1, next=product_url)
    assert response.status_code == 302 and response.url == product_url
    page = client.get(product_url)
    assert [m.level_tag for m in page.context["messages"]][-1] == "error"
    assert 'role="alert"' in _html(page)
    assert _lines(_cart_of(client)) == [("CJ-ZZ-500G", 1)]


def test_live_session_id_is_accepted_and_ignored_when_posted_with_the_sku(client):
    _add(client, "CJ-ZZ-500G", 1, live_session_id="not-yet")
    line = _cart_of(client).lines.get()
    assert (line.quantity, line.live_session_id, line.host_id) == (1, None, None)


def test_add_redirects_only_to_this_site_when_next_points_elsewhere(client):
    response = _add(client, "CJ-XP-500G", 1, next="https://evil.example.com/")
    assert response.url == "/cart/"


@pytest.mark.parametrize("quantity", ["0", "-2", "abc", "100"])
def test_add_is_refused_with_a_message_when_the_quantity_is_not_1_to_99(client, quantity):
    response = client.post("/cart/add/", {"sku": "CJ-ZZ-500G", "quantity": quantity}, follow=True)
    assert response.context["cart"].lines == []
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_add_page_only_accepts_post_when_opened_with_get(client):
    assert client.get("/cart/add/").status_code == 405


def test_quantity_changes_when_posted_to_the_cart_line(client):
    _add(client, "CJ-ZZ-500G", 1)
    line = _cart_of(client).lines.get()
    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": 3})
    assert response.status_code == 302
    assert _lines(_cart_of(client)) == [("CJ-ZZ-500G", 3)]


def test_line_is_removed_when_its_quantity_is_set_to_zero(client):
    _add(client, "CJ-ZZ-500G", 1)
    _add(client, "SM-HS-250G", 1)
    line = _cart_of(client).lines.get(sku="CJ-ZZ-500G")
    client.post(f"/cart/lines/{line.pk}/", {"quantity": 0})
    assert _lines(_cart_of(client)) == [("SM-HS-250G", 1)]


def test_more_than_in_stock_is_refused_and_the_line_kept_when_updating(client):
    _add(client, "CJ-ZZ-GIFT", 2)
    line = _cart_of(client).lines.get()
    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": 31}, follow=True)
    assert "30" in " ".join(str(m) for m in response.context["messages"])
    assert _lines(_cart_of(client)) == [("CJ-ZZ-GIFT", 2)]


def test_another_shoppers_line_stays_untouched_when_its_id_is_guessed(client):
    other = Client()
    _add(other, "CJ-ZZ-500G", 2)
    line = _cart_of(other).lines.get()
    _add(client, "SM-HS-250G", 1)
    client.post(f"/cart/lines/{line.pk}/", {"quantity": 0})
    client.post(f"/cart/lines/{line.pk}/", {"quantity": 5})
    assert _lines(_cart_of(other)) == [("CJ-ZZ-500G", 2)]


def test_cart_flags_the_line_and_hides_checkout_when_stock_ran_out_after_adding(client):
    _add(client, "CJ-ZZ-GIFT", 5)
    stock_reserve(quantities={"CJ-ZZ-GIFT": 28}, reference="SOMEONE-ELSE", expires_at=timezone.now() + datetime.timedelta(minutes=5))
    page = client.get("/cart/")
    assert page.context["cart"].lines[0].problem
    assert 'href="/checkout/"' not in _html(page)


def test_product_page_offers_an_add_to_cart_form_for_the_default_variant(client):
    html = _html(client.get(ProductPage.objects.get(slug="changjie-zhizi").url))
    assert 'action="/cart/add/"' in html
    assert 'name="sku" value="CJ-ZZ-500G"' in html
    assert 'name="quantity"' in html


# --- Checkout --------------------------------------------------------------------------------


def test_checkout_sends_the_shopper_back_to_the_cart_when_it_is_empty(client):
    response = client.get("/checkout/")
    assert response.status_code == 302 and response.url == "/cart/"


def test_checkout_asks_for_mobile_and_address_when_the_cart_ships(client):
    _add(client, "CJ-ZZ-500G", 1)
    page = client.get("/checkout/")
    assert page.status_code == 200
    html = _html(page)
    for name in ("mobile", "email", "recipient", "province", "city", "district", "detail"):
        assert f'name="{name}"' in html
    response = client.post("/checkout/", {"mobile": "12345"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"mobile", "recipient", "province", "city", "district", "detail"}
    assert 'aria-invalid="true"' in _html(response)
    assert not Order.objects.exists()
    assert _lines(_cart_of(client)) == [("CJ-ZZ-500G", 1)]


def test_checkout_asks_no_address_when_the_cart_holds_only_bookings(client):
    _add(client, "LG-YX-CHILD", 2)
    page = client.get("/checkout/")
    assert 'name="recipient"' not in _html(page)
    response = client.post("/checkout/", {"mobile": "13900139000"})
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.shipping_method, order.recipient, order.phone) == ("none", "", "13900139000")


def test_checkout_shows_the_reason_and_keeps_the_cart_when_another_buyer_took_the_stock(client):
    _add(client, "CJ-ZZ-GIFT", 5)
    stock_reserve(quantities={"CJ-ZZ-GIFT": 28}, reference="SOMEONE-ELSE", expires_at=timezone.now() + datetime.timedelta(minutes=5))
    response = client.post("/checkout/", ADDRESS)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'role="alert"' in _html(response)
    assert _lines(_cart_of(client)) == [("CJ-ZZ-GIFT", 5)]
    assert not Order.objects.exists()


def test_checkout_shows_sold_out_and_keeps_the_cart_when_the_stock_goes_while_placing(client, monkeypatch):
    _add(client, "CJ-ZZ-GIFT", 5)

    def sold_out(**kwargs):
        raise SoldOut({"CJ-ZZ-GIFT": 2})

    monkeypatch.setattr("orders.buying.checkout.stock_reserve", sold_out)
    response = client.post("/checkout/", ADDRESS)
    assert response.status_code == 200
    assert "CJ-ZZ-GIFT" in " ".join(response.context["form"].non_field_errors())
    assert _lines(_cart_of(client)) == [("CJ-ZZ-GIFT", 5)]
    assert not Order.objects.exists()
    assert stock_available(skus=["CJ-ZZ-GIFT"]) == {"CJ-ZZ-GIFT": 30}


def test_guest_checkout_leads_to_the_stripe_payment_page_when_the_form_is_complete(client, localstripe):
    # given a guest with razor clams in the cart
    _add(client, "CJ-ZZ-500G", 1)
    # when they check out
    response = client.post("/checkout/", ADDRESS)
    # then the order is placed and they are sent to pay for it
    order = Order.objects.get()
    assert response.url == f"/orders/{order.number}/pay/"
    assert (order.user, order.phone, order.recipient, order.district) == (None, "13800138000", "王小明", "宁海县")
    assert not _cart_of(client).lines.exists()
    pay = client.get(response.url)
    assert pay.status_code == 200
    html = _html(pay)
    payment = order.payments.get()
    assert f'data-client-secret="{payment.client_secret}"' in html
    assert 'data-mode="localstripe"' in html
    assert f'src="{localstripe.base}/js.stripe.com/v3/"' in html
    assert "¥93.00" in html
    assert f'action="/orders/{order.number}/cancel/"' in html
    assert client.get(f"/orders/{order.number}/").status_code == 200


def test_logged_in_buyer_can_deliver_to_a_saved_address_when_checking_out(client, shopper):
    saved = Address.objects.create(user=shopper, recipient="李四", mobile="13900139000", province="浙江省", city="宁波市",
                                   district="北仑区", detail="新碶街道 1 号", is_default=True)
    client.force_login(shopper)
    _add(client, "SM-HS-250G", 1)
    page = client.get("/checkout/")
    assert f'value="{saved.pk}"' in _html(page)
    response = client.post("/checkout/", {"mobile": "13900139000", "address": saved.pk})
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.user, order.recipient, order.district, order.address_detail) == (shopper, "李四", "北仑区", "新碶街道 1 号")


def test_stripe_js_comes_from_stripe_when_localstripe_is_not_configured(settings):
    settings.STRIPE_API_BASE = ""
    assert views._stripe_js_url() == "https://js.stripe.com/v3/"
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    assert views._stripe_js_url() == "http://127.0.0.1:8420/js.stripe.com/v3/"


# --- Orders and payment ------------------------------------------------------------------------


def test_order_pages_are_not_found_when_another_visitor_asks(client):
    order = _place(client, ("SM-HS-250G", 1))
    stranger = Client()
    for url in (f"/orders/{order.number}/", f"/orders/{order.number}/pay/", f"/orders/{order.number}/status.json"):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"/orders/{order.number}/cancel/").status_code == 404
    assert stranger.post(f"/orders/{order.number}/pay/confirm/", "{}", content_type="application/json").status_code == 404
    assert Client().get("/orders/LJ00000000-NOSUCH/").status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_owner_sees_the_order_from_any_session_when_logged_in(client, shopper):
    client.force_login(shopper)
    order = _place(client, ("SM-HS-250G", 1))
    other_device = Client()
    other_device.force_login(shopper)
    assert other_device.get(f"/orders/{order.number}/").status_code == 200
    someone_else = Client()
    someone_else.force_login(customer_register(identifier="13700137000", password=PASSWORD))
    assert someone_else.get(f"/orders/{order.number}/").status_code == 404


def test_order_page_shows_status_lines_totals_address_and_history(client):
    order = _place(client, ("CJ-ZZ-500G", 2))
    page = client.get(f"/orders/{order.number}/")
    html = _html(page)
    assert 'data-order-status="pending_payment"' in html
    assert order.get_status_display() in html
    assert "长街蛭子" in html and "¥136.00" in html and "¥161.00" in html
    assert "浙江省宁波市宁海县长街镇长街大道 18 号" in html
    assert f'data-status-url="/orders/{order.number}/status.json"' in html  # polls while unpaid
    assert [event["status"] for event in page.context["history"]] == [OrderStatus.PENDING_PAYMENT.label]


def test_cancel_releases_the_stock_and_the_page_says_cancelled_when_the_buyer_cancels(client):
    order = _place(client, ("CJ-ZZ-GIFT", 3))
    assert stock_available(skus=["CJ-ZZ-GIFT"]) == {"CJ-ZZ-GIFT": 27}
    response = client.post(f"/orders/{order.number}/cancel/", follow=True)
    assert response.status_code == 200
    assert 'data-order-status="cancelled"' in _html(response)
    assert stock_available(skus=["CJ-ZZ-GIFT"]) == {"CJ-ZZ-GIFT": 30}
    # cancelling twice explains itself instead of failing
    again = client.post(f"/orders/{order.number}/cancel/", follow=True)
    assert [m.level_tag for m in again.context["messages"]] == ["error"]
    # and there is nothing to pay any more
    assert client.get(f"/orders/{order.number}/pay/").url == f"/orders/{order.number}/"


def test_status_json_says_paid_when_stripe_took_the_payment_but_no_webhook_came(client, localstripe):
    order = _place(client, ("CJ-ZZ-500G", 1))
    assert client.get(f"/orders/{order.number}/pay/").status_code == 200
    payment = order.payments.get()
    payment_confirm_card(payment=payment, payment_method_id=localstripe.payment_method())
    body = client.get(f"/orders/{order.number}/status.json").json()
    assert body == {"status": "paid", "paid": True}
    page = client.get(f"/orders/{order.number}/")
    assert 'data-order-status="paid"' in _html(page)
    assert "data-status-url" not in _html(page)  # no more polling


def test_status_json_asks_stripe_at_most_every_few_seconds_when_polled(client, monkeypatch):
    order = _place(client, ("SM-HS-250G", 1))
    from orders.models import Payment

    Payment.objects.create(order=order, intent_id=f"pi_test_{order.number[-6:]}", client_secret="pi_x_secret_y",
                           amount_fen=order.total_fen, currency="CNY")
    calls = []
    monkeypatch.setattr(views, "payment_reconcile", lambda *, payment: calls.append(payment.pk) or payment)
    for _ in range(3):
        assert client.get(f"/orders/{order.number}/status.json").json() == {"status": "pending_payment", "paid": False}
    assert len(calls) == 1


def test_confirm_asks_for_3d_secure_when_the_card_needs_it(client, localstripe):
    order = _place(client, ("CJ-ZZ-500G", 1))
    client.get(f"/orders/{order.number}/pay/")
    payment = order.payments.get()
    response = client.post(
        f"/orders/{order.number}/pay/confirm/",
        json.dumps({"payment_method_id": localstripe.payment_method("4000002760003184")}),
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == PaymentStatus.REQUIRES_ACTION and body["client_secret"] == payment.client_secret


def test_confirm_reports_the_decline_and_allows_another_card_when_the_card_is_refused(client, localstripe):
    order = _place(client, ("CJ-ZZ-500G", 1))
    client.get(f"/orders/{order.number}/pay/")
    url = f"/orders/{order.number}/pay/confirm/"
    declined = client.post(url, {"payment_method_id": localstripe.payment_method("4000000000000341")},
                           content_type="application/json").json()
    assert declined["status"] == "failed" and declined["error"] and not declined["client_secret"]
    retried = client.post(url, {"payment_method_id": localstripe.payment_method()}, content_type="application/json").json()
    assert retried["status"] != "failed" and not retried["error"], retried
    assert order.payments.count() == 2  # the second card went to a fresh intent
    assert client.get(f"/orders/{order.number}/status.json").json()["paid"] is True


def test_confirm_refuses_when_the_card_id_is_malformed_or_the_order_is_over(client, localstripe):
    order = _place(client, ("CJ-ZZ-500G", 1))
    client.get(f"/orders/{order.number}/pay/")
    url = f"/orders/{order.number}/pay/confirm/"
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert client.post(url, {"payment_method_id": "tok_1; drop"}, content_type="application/json").status_code == 400
    client.post(f"/orders/{order.number}/cancel/")
    refused = client.post(url, {"payment_method_id": localstripe.payment_method()}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["error"]


def test_pay_page_says_payment_is_unavailable_when_stripe_is_not_configured(client, settings):
    settings.STRIPE_SECRET_KEY = ""
    order = _place(client, ("SM-HS-250G", 1))
    response = client.get(f"/orders/{order.number}/pay/")
    assert response.status_code == 503
    assert response.context["error"] and "data-payment-form" not in _html(response)


# --- Account -----------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["new.buyer@example.com", "13600136000"])
def test_signing_up_logs_in_and_opens_my_orders_when_the_form_is_valid(client, identifier):
    response = client.post("/account/signup/", {"identifier": identifier, "password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 302 and response.url == "/account/orders/"
    page = client.get("/account/orders/")
    assert page.status_code == 200 and page.context["user"].is_authenticated


def test_signup_explains_what_to_fix_when_input_is_wrong_or_taken(client, shopper):
    users_before = get_user_model().objects.count()
    cases = [
        ({"identifier": "shopper@example.com", "password": PASSWORD, "password_again": PASSWORD}, "identifier"),
        ({"identifier": "not-an-address", "password": PASSWORD, "password_again": PASSWORD}, "identifier"),
        ({"identifier": "12345678901", "password": PASSWORD, "password_again": PASSWORD}, "identifier"),
        ({"identifier": "a@example.com", "password": PASSWORD, "password_again": PASSWORD + "x"}, "password_again"),
        ({"identifier": "b@example.com", "password": "123", "password_again": "123"}, "password"),
    ]
    for data, field in cases:
        response = client.post("/account/signup/", data)
        assert response.status_code == 200, data
        assert field in response.context["form"].errors, (data, response.context["form"].errors)
    assert get_user_model().objects.count() == users_before


@pytest.mark.parametrize("identifier", ["login.buyer@example.com", "13500135000"])
def test_login_works_with_email_or_mobile_when_the_password_matches(client, identifier):
    customer_register(identifier=identifier, password=PASSWORD)
    assert client.get("/account/login/").status_code == 200
    wrong = client.post("/account/login/", {"username": identifier, "password": "wrong-password"})
    assert wrong.status_code == 200 and wrong.context["form"].non_field_errors()
    response = client.post("/account/login/", {"username": identifier, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/account/orders/"


def test_anonymous_cart_moves_into_the_account_when_logging_in_through_the_login_view(client, shopper):
    # given the shopper's account already holds one item, and a guest cart another
    Cart.objects.create(user=shopper).lines.create(sku="SM-HS-250G", quantity=1)
    _add(client, "CJ-ZZ-500G", 2)
    _add(client, "SM-HS-250G", 1)
    # when they log in
    response = client.post("/account/login/", {"username": "shopper@example.com", "password": PASSWORD})
    assert response.status_code == 302
    # then the account's cart holds both, and the header counts them
    assert _lines(Cart.objects.get(user=shopper)) == [("CJ-ZZ-500G", 2), ("SM-HS-250G", 2)]
    assert not Cart.objects.filter(user__isnull=True).exists()
    assert 'data-cart-count="4"' in _html(client.get("/cart/"))


def test_logout_ends_the_session_when_posted(client, shopper):
    client.force_login(shopper)
    response = client.post("/account/logout/")
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/account/orders/").status_code == 302


def test_my_orders_lists_only_my_orders_and_needs_a_login(client, shopper):
    assert client.get("/account/orders/").url == "/account/login/?next=/account/orders/"
    mine = Client()
    mine.force_login(shopper)
    my_order = _place(mine, ("SM-HS-250G", 1))
    guest_order = _place(Client(), ("SM-HS-250G", 1))
    client.force_login(shopper)
    page = client.get("/account/orders/")
    assert [o.number for o in page.context["orders"]] == [my_order.number]
    assert guest_order.number not in _html(page)


def test_addresses_can_be_added_edited_made_default_and_deleted_when_logged_in(client, shopper):
    client.force_login(shopper)
    assert client.get("/account/addresses/").status_code == 200
    assert client.get("/account/addresses/new/").status_code == 200
    home = {"recipient": "王小明", "mobile": "13800138000", "province": "浙江省", "city": "宁波市", "district": "宁海县",
            "detail": "长街镇 18 号", "postal_code": "315600"}
    assert client.post("/account/addresses/new/", home).status_code == 302
    first = Address.objects.get(user=shopper)
    assert first.is_default  # the first address is the default
    client.post("/account/addresses/new/", {**home, "recipient": "王大明", "detail": "西店镇 2 号"})
    second = Address.objects.get(user=shopper, recipient="王大明")
    assert not second.is_default
    # edit
    assert client.get(f"/account/addresses/{second.pk}/").status_code == 200
    client.post(f"/account/addresses/{second.pk}/", {**home, "recipient": "王大明", "detail": "西店镇 3 号"})
    second.refresh_from_db()
    assert second.detail == "西店镇 3 号"
    # set default: only one default
    client.post(f"/account/addresses/{second.pk}/default/")
    assert list(Address.objects.filter(user=shopper, is_default=True)) == [second]
    # delete the default: the other one takes over
    client.post(f"/account/addresses/{second.pk}/delete/")
    assert list(Address.objects.filter(user=shopper).values_list("pk", "is_default")) == [(first.pk, True)]


@pytest.mark.parametrize("field, value", [("mobile", "1380013800"), ("mobile", "23800138000"), ("recipient", ""),
                                          ("district", ""), ("postal_code", "31560")])
def test_address_is_refused_with_the_reason_when_a_field_is_wrong(client, shopper, field, value):
    client.force_login(shopper)
    data = {"recipient": "王小明", "mobile": "13800138000", "province": "浙江省", "city": "宁波市", "district": "宁海县",
            "detail": "长街镇 18 号", field: value}
    response = client.post("/account/addresses/new/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'aria-invalid="true"' in _html(response)
    assert not Address.objects.exists()


def test_someone_elses_address_is_not_found_when_addressed_by_id(client, shopper):
    theirs = Address.objects.create(user=shopper, recipient="王小明", mobile="13800138000", province="浙江省",
                                    city="宁波市", district="宁海县", detail="长街镇 18 号")
    client.force_login(customer_register(identifier="13700137000", password=PASSWORD))
    assert client.get(f"/account/addresses/{theirs.pk}/").status_code == 404
    assert client.post(f"/account/addresses/{theirs.pk}/delete/").status_code == 404
    assert client.post(f"/account/addresses/{theirs.pk}/default/").status_code == 404
    assert Address.objects.filter(pk=theirs.pk).exists()


def test_address_pages_need_a_login(client):
    assert client.get("/account/addresses/").url.startswith("/account/login/?next=")
