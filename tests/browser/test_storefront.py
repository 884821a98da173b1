import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_shopper_on_a_phone_opens_razor_clams_picks_a_variant_and_sees_its_price(phone):
    # given the home page on a phone
    phone.goto("/")
    expect(phone.locator("h1")).to_contain_text("村里的好东西")
    # when they follow the hero product and choose the 1kg variant
    phone.get_by_role("link", name=re.compile("长街蛭子")).first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("长街蛭子")
    price = phone.locator("[data-show=price]")
    expect(price).to_have_text("¥68.00")
    phone.get_by_role("radio", name=re.compile("1kg 鲜活")).check()
    # then the price line shows that variant's price and stock, and the URL remembers it
    expect(price).to_have_text("¥128.00")
    expect(phone.locator("[data-show=availability]")).to_contain_text("80")
    assert "variant=" in phone.url
    # and the page fits the phone: nothing wider than the viewport
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_keyboard_user_reaches_content_with_the_skip_link(phone):
    phone.goto("/")
    phone.keyboard.press("Tab")
    skip = phone.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.locator("main")).to_be_focused()
