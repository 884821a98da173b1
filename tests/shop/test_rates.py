"""Platform fee + host commission ≤ 100%, checked when either is saved (DESIGN.md §3), so no
line can be captured with a split that has no room for the cooperative."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from livestream.models import Host, LiveSession, SessionStatus
from livestream.selectors import host_rate_max_bp
from shop.models import Cooperative, MarketSettings, ProductPage, platform_rate_max_bp

pytestmark = pytest.mark.django_db


@pytest.fixture
def host(django_user_model):
    user = django_user_model.objects.create_user("rate-host", password="x")
    return Host.objects.create(user=user, display_name="阿嫂嫂", commission_rate_bp=800)


def _errors(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        obj.full_clean()
    return raised.value.message_dict


def test_a_cooperative_fee_that_leaves_no_room_for_a_host_is_refused(host):
    cooperative = Cooperative.objects.get(slug="xiwu-qiangcun")
    cooperative.platform_rate_bp = 9300  # + 8% = 101%
    errors = _errors(cooperative)
    assert "101%" in errors["platform_rate_bp"][0] and "100%" in errors["platform_rate_bp"][0]


def test_a_fee_and_a_commission_of_exactly_100_percent_are_allowed(host):
    cooperative = Cooperative.objects.get(slug="xiwu-qiangcun")
    cooperative.platform_rate_bp = 9200
    cooperative.full_clean()


def test_a_product_override_is_checked_too(host):
    product = ProductPage.objects.live().first()
    product.platform_rate_bp = 9900
    assert "platform_rate_bp" in _errors(product)


def test_the_site_fee_is_checked_against_the_largest_host_rate(host):
    settings = MarketSettings.for_site(Site.objects.get(is_default_site=True))
    settings.platform_rate_bp = 9500
    assert "platform_rate_bp" in _errors(settings)


def test_a_host_rate_is_checked_against_the_largest_platform_fee(host):
    # The demo's 四明山 company overrides the fee at 4%, the site charges 5%: the site's wins.
    assert platform_rate_max_bp() == 500
    host.commission_rate_bp = 9600
    message = _errors(host)["commission_rate_bp"][0]
    assert "5%" in message and "96%" in message and "101%" in message


def test_a_session_override_is_checked_and_counts_while_it_can_be_attributed(host):
    session = LiveSession.objects.create(
        host=host, title="夜场", scheduled_start=timezone.now(), scheduled_end=timezone.now() + datetime.timedelta(hours=2),
        commission_rate_bp=9600,
    )
    assert "commission_rate_bp" in _errors(session)
    session.commission_rate_bp = 3000
    session.full_clean()
    session.save()
    assert host_rate_max_bp() == 3000
    # Long ended, beyond the attribution window: its rate can no longer meet a line.
    session.status, session.ended_at = SessionStatus.ENDED, timezone.now() - datetime.timedelta(days=30)
    session.save()
    assert host_rate_max_bp() == 800


def test_the_admin_form_says_why_the_host_rate_was_refused(client, superuser, host):
    client.force_login(superuser)
    url = reverse("wagtailsnippets_livestream_host:edit", args=[host.pk])
    response = client.post(url, {"user": host.user_id, "display_name": host.display_name, "commission_rate_bp": 9600,
                                 "bio": "", "is_active": "on"})
    assert response.status_code == 200
    assert "100%" in response.content.decode()
    host.refresh_from_db()
    assert host.commission_rate_bp == 800
