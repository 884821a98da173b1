import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError

from orders.buying.accounts import customer_register

pytestmark = pytest.mark.django_db


def test_register_and_log_in_by_email_in_any_case():
    user = customer_register(identifier="Buyer@Example.com", password="zhizi-is-tasty-2026")
    assert authenticate(username="buyer@example.com", password="zhizi-is-tasty-2026") == user
    assert authenticate(username="BUYER@example.com", password="zhizi-is-tasty-2026") == user


def test_register_and_log_in_by_mobile():
    user = customer_register(identifier="13912345678", password="zhizi-is-tasty-2026")
    assert user.customer_profile.mobile == "13912345678"
    assert authenticate(username="13912345678", password="zhizi-is-tasty-2026") == user


def test_wrong_password_or_unknown_identifier_does_not_log_in():
    customer_register(identifier="13912345679", password="zhizi-is-tasty-2026")
    assert authenticate(username="13912345679", password="wrong-password-1") is None
    assert authenticate(username="13900000000", password="zhizi-is-tasty-2026") is None


@pytest.mark.parametrize("identifier", ["12345", "not-an-email", "23912345678"])
def test_register_refuses_what_is_neither_email_nor_mobile(identifier):
    with pytest.raises(ValidationError):
        customer_register(identifier=identifier, password="zhizi-is-tasty-2026")


def test_register_refuses_a_taken_identifier_and_a_weak_password():
    customer_register(identifier="taken@example.com", password="zhizi-is-tasty-2026")
    with pytest.raises(ValidationError):
        customer_register(identifier="TAKEN@example.com", password="zhizi-is-tasty-2026")
    with pytest.raises(ValidationError):
        customer_register(identifier="weak@example.com", password="123")
