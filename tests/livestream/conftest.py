"""Fixtures of live selling: a host, a session selling two demo products, and it on air."""

import datetime

import pytest
from django.utils import timezone

from livestream.models import Host, LiveSession, SessionProduct
from shop.inventory import stock_receive
from shop.models import ProductPage


@pytest.fixture
def host_user(db, django_user_model):
    return django_user_model.objects.create_user("host-under-test", "host-under-test@example.com", "pw-for-tests-only")


@pytest.fixture
def live_host(host_user):
    return Host.objects.create(user=host_user, display_name="阿嫂嫂", commission_rate_bp=800)


@pytest.fixture
def zhizi(db) -> ProductPage:
    """长街蛭子 from the demo catalogue, with units enough for any test."""
    product = ProductPage.objects.get(slug="changjie-zhizi")
    for variant in product.variants.all():
        stock_receive(sku=variant.sku, quantity=500, reason="test stock")
    return product


@pytest.fixture
def second_product(db) -> ProductPage:
    return ProductPage.objects.get(slug="changjie-zhizi-gan")


@pytest.fixture
def live_session(live_host, zhizi, second_product) -> LiveSession:
    session = LiveSession.objects.create(
        host=live_host, title="阿嫂嫂带你赶海", scheduled_start=timezone.now() + datetime.timedelta(minutes=5)
    )
    SessionProduct.objects.create(session=session, product=zhizi, sort_order=0)
    SessionProduct.objects.create(session=session, product=second_product, sort_order=1)
    return session


@pytest.fixture
def on_air(live_session) -> LiveSession:
    """The session after the media server accepted its stream."""
    from livestream.sessions import session_go_live

    return session_go_live(stream_key=live_session.stream_key)
