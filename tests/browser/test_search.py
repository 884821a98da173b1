import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def indexed_phone(demo_search_index, phone):
    return phone


def test_shopper_types_pinyin_in_the_header_box_and_opens_the_suggested_product(indexed_phone):
    phone = indexed_phone
    # given any page, on a phone
    phone.goto("/")
    box = phone.locator("#site-search-q")
    expect(box).to_have_attribute("aria-expanded", "false")
    # when they type "zhizi" into the header search box
    box.press_sequentially("zhizi", delay=30)
    # then a listbox of product names opens, the keyboard can move through it
    suggestions = phone.get_by_role("listbox")
    expect(suggestions).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    option = phone.get_by_role("option", name="长街蛭子", exact=True)
    expect(option).to_be_visible()
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"^site-search-option-\d+$"))
    # and choosing the suggestion opens that product
    option.click()
    expect(phone).to_have_url(re.compile(r"/products/changjie-zhizi/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("长街蛭子")


def test_shopper_submits_the_header_box_and_sees_highlighted_results(indexed_phone):
    phone = indexed_phone
    phone.goto("/")
    box = phone.locator("#site-search-q")
    box.fill("石斛")
    box.press("Enter")
    expect(phone).to_have_url(re.compile(r"/search/\?q="))
    expect(phone.locator(".search-hit mark").first).to_have_text("石斛")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
