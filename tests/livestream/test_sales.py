"""Buying from the room: attribution, the host's commission in the ledger, the ticker, the report."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from livestream import broadcast
from livestream.models import LiveSession
from livestream.offers import offer_create, offer_start
from livestream.reports import session_report, session_report_csv, session_stats
from livestream.sales import room_buy
from livestream.sessions import session_end
from orders.buying.checkout import order_place
from orders.models import Allocation, Cart, OrderStatus, RecipientType
from tests.orders.helpers import ADDRESS, pay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_outside_transactions")]


def _sku(product) -> str:
    return product.variants.order_by("sort_order").first().sku


def _pay(localstripe, order):
    order = pay(localstripe, order)
    assert order.status == OrderStatus.PAID
    return order


def _buy_in_room(session, sku, quantity=1, offer_id=None):
    cart = Cart.objects.create()
    room_buy(session=session, cart=cart, sku=sku, quantity=quantity, offer_id=offer_id)
    return order_place(cart=cart, contact=ADDRESS)


@pytest.fixture
def sent(monkeypatch):
    """Every live event the services broadcast, as (group, payload), once committed."""
    messages = []
    monkeypatch.setattr(broadcast, "_send", lambda group, payload: messages.append((group, payload)))
    return messages


def test_paid_room_purchase_books_the_hosts_commission_in_the_ledger(localstripe, on_air, zhizi, django_capture_on_commit_callbacks):
    # given a purchase in the live room of a host on 8%
    with django_capture_on_commit_callbacks(execute=True):
        order = _pay(localstripe, _buy_in_room(on_air, _sku(zhizi), quantity=2))
    line = order.lines.get()
    assert (line.live_session_id, line.host_id, line.host_rate_bp) == (on_air.pk, on_air.host_id, 800)
    # then the ledger holds the host's share of the line, exactly 8%
    host_share = Allocation.objects.get(line=line, recipient_type=RecipientType.HOST)
    assert host_share.host_id == on_air.host_id
    assert abs(host_share.amount_fen * 10_000 - line.line_total_fen * 800) < 10_000  # within a fen of 8%
    assert host_share.amount_fen > 0
    assert sum(a.amount_fen for a in Allocation.objects.filter(line=line)) == line.line_total_fen
    # and the report shows the same commission
    assert session_stats(on_air)["commission_fen"] == host_share.amount_fen


def test_session_rate_override_wins_over_the_hosts(localstripe, on_air, zhizi):
    LiveSession.objects.filter(pk=on_air.pk).update(commission_rate_bp=1500)
    on_air.refresh_from_db()
    order = _pay(localstripe, _buy_in_room(on_air, _sku(zhizi)))
    line = order.lines.get()
    assert line.host_rate_bp == 1500
    host_fen = Allocation.objects.get(line=line, recipient_type=RecipientType.HOST).amount_fen
    assert abs(host_fen * 10_000 - line.line_total_fen * 1500) < 10_000  # within a fen of 15%


def test_replay_purchase_within_the_window_is_attributed_and_after_it_is_not(localstripe, on_air, zhizi, settings):
    settings.LIVE_ATTRIBUTION_HOURS = 24
    session_end(session=on_air)
    within = _buy_in_room(on_air, _sku(zhizi))
    assert within.lines.get().live_session_id == on_air.pk
    LiveSession.objects.filter(pk=on_air.pk).update(ended_at=timezone.now() - datetime.timedelta(hours=25))
    on_air.refresh_from_db()
    late = _pay(localstripe, _buy_in_room(on_air, _sku(zhizi)))
    line = late.lines.get()
    assert line.live_session_id is None and line.host_id is None
    assert not Allocation.objects.filter(line=line, recipient_type=RecipientType.HOST).exists()


def test_paid_order_reaches_the_ticker_masked_and_the_hosts_figures(localstripe, on_air, zhizi, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = _buy_in_room(on_air, _sku(zhizi), quantity=2)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _pay(localstripe, order)
    sales = [p for g, p in sent if g == broadcast.room_group(on_air.pk) and p["type"] == "sale"]
    assert sales == [{"type": "sale", "buyer": "王**", "quantity": 2, "label": order.lines.get().variant_label, "product_title": "长街蛭子"}]
    stats = [p for g, p in sent if g == broadcast.host_group(on_air.pk) and p["type"] == "stats"]
    assert stats and stats[-1]["orders"] == 1 and stats[-1]["units"] == 2
    assert stats[-1]["gmv_fen"] == order.subtotal_fen
    # nothing about money goes to the viewers' group
    assert not [p for g, p in sent if g == broadcast.room_group(on_air.pk) and p["type"] == "stats"]


def test_offer_events_reach_the_room(on_air, zhizi, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        offer = offer_start(offer=offer_create(session=on_air, sku=_sku(zhizi), price_fen=990, quantity=1, per_buyer_limit=1))
    assert [p["event"] for g, p in sent if p["type"] == "offer"] == ["started"]
    with django_capture_on_commit_callbacks(execute=True):
        _buy_in_room(on_air, offer.sku, offer_id=offer.pk)
    types = [(p["type"], p.get("event"), p.get("remaining")) for g, p in sent]
    assert ("remaining", None, 0) in types
    assert ("offer", "ended", None) in types  # sold out: every viewer is told at once


def test_report_adds_up_sales_buyers_and_best_sellers(localstripe, on_air, zhizi, second_product):
    _pay(localstripe, _buy_in_room(on_air, _sku(zhizi), quantity=2))
    _pay(localstripe, _buy_in_room(on_air, _sku(second_product), quantity=1))
    _buy_in_room(on_air, _sku(zhizi), quantity=5)  # placed, never paid: not a sale
    from livestream.models import ViewerSample

    now = timezone.now()
    ViewerSample.objects.bulk_create(
        [ViewerSample(session=on_air, at=now, viewers=n) for n in (10, 30, 20)]
    )
    report = session_report(on_air)
    zhizi_total = 2 * zhizi.variants.get(sku=_sku(zhizi)).price_fen
    gan_total = second_product.variants.get(sku=_sku(second_product)).price_fen
    assert (report.orders, report.units, report.buyers) == (2, 3, 1)  # one buyer (same phone) twice
    assert report.gmv_fen == zhizi_total + gan_total
    assert (report.peak_viewers, report.average_viewers) == (30, 20)
    assert report.conversion_bp == 1 * 10_000 // 30
    assert report.items[0].sku == max(((zhizi_total, _sku(zhizi)), (gan_total, _sku(second_product))))[1]
    assert report.commission_fen == sum(
        Allocation.objects.filter(recipient_type=RecipientType.HOST, line__live_session_id=on_air.pk).values_list("amount_fen", flat=True)
    )
    csv_text = session_report_csv(report).decode("utf-8-sig")
    assert "阿嫂嫂带你赶海" in csv_text and _sku(zhizi) in csv_text


def test_buy_endpoint_answers_json_for_the_sheet(client, on_air, zhizi):
    url = reverse("livestream:buy", args=[on_air.pk])
    ok = client.post(url, {"sku": _sku(zhizi), "quantity": 2})
    assert ok.status_code == 200
    assert ok.json() == {"ok": True, "cart_count": 2, "checkout_url": reverse("orders:checkout")}
    bad = client.post(url, {"sku": _sku(zhizi), "quantity": 0})
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["quantity"]
    missing = client.post(url, {"sku": "NO-SUCH", "quantity": 1})
    assert missing.status_code == 409 and missing.json()["error"]["message"]
    assert client.get(url).status_code == 405


def test_checkout_renders_without_site_chrome_inside_the_rooms_frame(client, on_air, zhizi):
    client.post(reverse("livestream:buy", args=[on_air.pk]), {"sku": _sku(zhizi), "quantity": 1})
    framed = client.get(reverse("orders:checkout"), headers={"Sec-Fetch-Dest": "iframe"})
    plain = client.get(reverse("orders:checkout"))
    assert 'class="site-header"' in plain.content.decode() and 'class="site-header"' not in framed.content.decode()
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get("/")["X-Frame-Options"] == "DENY"  # nothing else may be framed


def test_report_is_for_the_host_and_staff_only(client, on_air, django_user_model, host_user):
    url = reverse("livestream:report", args=[on_air.pk])
    assert client.get(url).status_code == 302  # to the login
    client.force_login(django_user_model.objects.create_user("nosy", "nosy@example.com", "pw"))
    assert client.get(url).status_code == 403
    client.force_login(host_user)
    page = client.get(url)
    assert page.status_code == 200 and "阿嫂嫂带你赶海" in page.content.decode()
    csv_response = client.get(reverse("livestream:report-csv", args=[on_air.pk]))
    assert csv_response["Content-Type"].startswith("text/csv") and csv_response.content.startswith(b"\xef\xbb\xbf")


def test_reminder_is_emailed_once_when_the_session_goes_live(client, live_session, mailoutbox, django_capture_on_commit_callbacks):
    from livestream.sessions import session_go_live

    url = reverse("livestream:remind", args=[live_session.pk])
    assert client.post(url, {"email": "fan@example.com"}, headers={"Accept": "application/json"}).json()["ok"]
    client.post(url, {"email": "FAN@example.com"})  # twice: still one reminder
    bad = client.post(url, {"email": "not-an-email"}, headers={"Accept": "application/json"})
    assert bad.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        session_go_live(stream_key=live_session.stream_key)
    with django_capture_on_commit_callbacks(execute=True):
        session_go_live(stream_key=live_session.stream_key)  # an encoder reconnecting
    assert [m.to for m in mailoutbox] == [["fan@example.com"]]
    assert reverse("livestream:room", args=[live_session.pk]) in mailoutbox[0].body
    late = client.post(url, {"email": "late@example.com"}, headers={"Accept": "application/json"})
    assert late.status_code == 409


def test_statements_and_exports_name_the_host(on_air):
    from orders.accounting.statements import Recipient, recipient_names

    names = recipient_names([Recipient("host", host_id=on_air.host_id), Recipient("host", host_id=987654)])
    assert sorted(names.values()) == ["#987654", "阿嫂嫂"]
