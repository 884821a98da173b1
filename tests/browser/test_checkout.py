"""A guest buys razor clams on a phone and pays by card through localstripe's stand-in Stripe.js."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guest_on_a_phone_buys_razor_clams_pays_by_card_and_sees_the_order_paid(phone, live_server, localstripe):
    # given Stripe (localstripe) can reach this server's webhook
    localstripe.register_webhook(live_server.url + "/stripe/webhook/")

    # when the shopper opens 长街蛭子 from the home page, picks 1kg and adds it to the cart
    phone.goto("/")
    phone.get_by_role("link", name=re.compile("长街蛭子")).first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("长街蛭子")
    phone.get_by_role("radio", name=re.compile("1kg 鲜活")).check()
    expect(phone.locator("[data-sku-input]")).to_have_value("CJ-ZZ-1KG")
    phone.locator("[data-add-button]").click()

    # then the cart shows it at today's price, and the header counts it
    expect(phone).to_have_url(re.compile(r"/cart/$"))
    expect(phone.locator('[data-sku="CJ-ZZ-1KG"]')).to_contain_text("¥128.00")
    expect(phone.locator("[data-cart-count]")).to_have_attribute("data-cart-count", "1")

    # when they check out as a guest with a mobile number and an address
    phone.locator('a[href="/checkout/"]').click()
    expect(phone).to_have_url(re.compile(r"/checkout/$"))
    phone.locator("#id_mobile").fill("13800138000")
    phone.locator("#id_recipient").fill("王小明")
    phone.locator("#id_province").fill("浙江省")
    phone.locator("#id_city").fill("宁波市")
    phone.locator("#id_district").fill("宁海县")
    phone.locator("#id_detail").fill("长街镇长街大道 18 号")
    phone.locator("[data-checkout-form] button[type=submit]").click()

    # then the payment page asks for the total: ¥128.00 + ¥25.00 cold-chain delivery
    expect(phone).to_have_url(re.compile(r"/orders/LJ\d{8}-\w{6}/pay/$"))
    expect(phone.locator("[data-amount]")).to_have_text("¥153.00")
    number = phone.url.rstrip("/").split("/")[-2]

    # when they pay with a test card in the card element
    card = phone.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("315000")
    phone.locator("[data-pay-button]").click()

    # then they land on the order page, which turns paid once Stripe says so
    expect(phone).to_have_url(re.compile(rf"/orders/{number}/$"), timeout=20_000)
    expect(phone.locator("[data-order-status]")).to_have_attribute("data-order-status", "paid", timeout=20_000)
    order = Order.objects.get(number=number)
    assert (order.status, order.total_fen, order.recipient) == (OrderStatus.PAID, 15300, "王小明")
    # and the page fits the phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
