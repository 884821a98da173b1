"""Staff work on orders in the Wagtail admin: find them, read them, ship, deliver, refund and
cancel them, each through the service that owns the change."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import translation

from orders.buying.admin import mask_phone
from orders.buying.admin_forms import RefundForm, yuan_to_fen
from orders.buying.payments import payment_confirm_card, payment_reconcile, payment_start
from orders.models import Order, OrderStatus, RefundStatus
from shop.selectors import stock_available
from tests.orders.helpers import ADDRESS, place

pytestmark = pytest.mark.django_db

SKU = "CJ-ZZ-500G"  # ¥68.00, 120 in stock, cold-chain ¥25


def _shown(text) -> str:
    """A message or label as the admin shows it (in the site language, once translated)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(translation.gettext(str(text)))


def _detail(order: Order) -> str:
    return reverse("orders_order:edit", args=[order.pk])


def _paid_order(localstripe, quantity: int = 2) -> Order:
    order = place((SKU, quantity))
    payment = payment_confirm_card(payment=payment_start(order=order), payment_method_id=localstripe.payment_method())
    payment_reconcile(payment=payment)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def _shipped_order(localstripe) -> Order:
    from orders.buying.fulfilment import order_ship

    order = _paid_order(localstripe)
    order_ship(order=order, carrier="顺丰速运", tracking_number="SF100200300")
    order.refresh_from_db()
    return order


@pytest.fixture
def viewer(django_user_model):
    """Admin access and view_order only."""
    user = django_user_model.objects.create_user("order-viewer", password="pw-for-tests-only")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="view_order")
    )
    return user


# --- listing ------------------------------------------------------------------------------------


def test_listing_shows_orders_with_yuan_totals_and_masked_phones(client, superuser):
    order = place((SKU, 1))
    client.force_login(superuser)
    response = client.get(reverse("orders_order:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert order.number in html
    assert "¥93.00" in html  # ¥68 + ¥25 cold chain
    assert "138****8000" in html and "13800138000" not in html


@pytest.mark.parametrize(
    "query, shows_first",
    [
        ("status=pending_payment", True),
        ("status=paid", False),
        ("shipping_method=cold_chain", True),
        ("shipping_method=standard", False),
        ("placed_at_from=2000-01-01&placed_at_to=2999-12-31", True),
        ("placed_at_from=2999-01-01", False),
        ("placed_at_to=2000-01-01", False),
    ],
)
def test_listing_filters_by_status_delivery_and_date(client, superuser, query, shows_first):
    order = place((SKU, 1))
    client.force_login(superuser)
    response = client.get(reverse("orders_order:index") + "?" + query)
    assert response.status_code == 200
    assert (order.number in response.content.decode()) is shows_first


@pytest.mark.parametrize("field", ["number", "phone", "recipient"])
def test_listing_searches_by_number_phone_and_recipient(client, superuser, field):
    from dataclasses import replace

    wanted = place((SKU, 1), contact=replace(ADDRESS, phone="13912345678", recipient="李四"))
    other = place((SKU, 1))
    client.force_login(superuser)
    term = {"number": wanted.number, "phone": "13912345678", "recipient": "李四"}[field]
    html = client.get(reverse("orders_order:index"), {"q": term}).content.decode()
    assert wanted.number in html and other.number not in html


def test_orders_cannot_be_added_or_deleted_in_the_admin(client, superuser):
    order = place((SKU, 1))
    client.force_login(superuser)
    assert client.get(reverse("orders_order:add")).status_code in (302, 403)
    assert client.post(reverse("orders_order:delete", args=[order.pk])).status_code in (302, 403)
    assert Order.objects.filter(pk=order.pk).exists()
    assert 'href="' + reverse("orders_order:add") not in client.get(reverse("orders_order:index")).content.decode()


def test_listing_needs_an_order_permission(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="pw-for-tests-only")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(reverse("orders_order:index")).status_code in (302, 403)


# --- detail -------------------------------------------------------------------------------------


def test_detail_shows_lines_totals_address_payments_and_history(client, superuser, localstripe):
    order = _paid_order(localstripe)
    client.force_login(superuser)
    response = client.get(_detail(order))
    html = response.content.decode()
    assert response.status_code == 200
    assert "长街蛭子" in html and SKU in html
    assert "¥136.00" in html and "¥161.00" in html  # subtotal and total
    assert "长街镇长街大道 18 号" in html and "13800138000" in html
    assert order.payments.get().intent_id in html
    for status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID):  # status history, with labels
        assert f"<td>{_shown(status.label)}</td>" in html
    assert 'value="ship"' in html and 'value="refund"' in html and 'value="cancel"' not in html


def test_viewer_sees_the_order_but_no_action_forms(client, viewer):
    order = place((SKU, 1))
    client.force_login(viewer)
    listing = client.get(reverse("orders_order:index")).content.decode()
    assert _detail(order) in listing  # the number links to the order page
    response = client.get(_detail(order))
    assert response.status_code == 200
    assert order.number in response.content.decode() and 'name="action"' not in response.content.decode()


# --- actions ------------------------------------------------------------------------------------


def test_shipping_marks_shipped_records_the_parcel_and_emails_the_buyer(
    client, superuser, localstripe, django_capture_on_commit_callbacks
):
    order = _paid_order(localstripe)
    mail.outbox.clear()
    client.force_login(superuser)
    # the email task is enqueued on commit (and runs eagerly in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _detail(order), {"action": "ship", "ship-carrier": "顺丰速运", "ship-tracking_number": "SF1234567890"}
        )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    shipment = order.shipments.get()
    assert (shipment.carrier, shipment.tracking_number) == ("顺丰速运", "SF1234567890")
    assert order.events.last().actor == superuser
    assert [m.to for m in mail.outbox] == [["buyer@example.com"]]
    assert order.number in mail.outbox[0].subject and "已发货" in mail.outbox[0].subject


def test_shipping_without_tracking_number_is_refused_and_changes_nothing(client, superuser, localstripe):
    order = _paid_order(localstripe)
    client.force_login(superuser)
    response = client.post(_detail(order), {"action": "ship", "ship-carrier": "顺丰速运", "ship-tracking_number": ""})
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and not order.shipments.exists()


def test_shipping_an_unpaid_order_shows_the_services_refusal(client, superuser):
    order = place((SKU, 1))
    client.force_login(superuser)
    response = client.post(_detail(order), {"action": "ship", "ship-carrier": "中通", "ship-tracking_number": "ZT1"})
    assert response.status_code == 200
    assert _shown("Only paid orders can be shipped.") in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT and not order.shipments.exists()


def test_marking_delivered_completes_the_shipment(client, superuser, localstripe):
    order = _shipped_order(localstripe)
    client.force_login(superuser)
    response = client.post(_detail(order), {"action": "deliver"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert order.shipments.get().delivered_at is not None


def test_full_refund_goes_through_stripe_and_refunds_the_order(client, superuser, localstripe):
    order = _paid_order(localstripe)
    client.force_login(superuser)
    response = client.post(_detail(order), {"action": "refund", "refund-everything": "on", "refund-reason": "买家取消"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and order.refunded_fen == order.total_fen == 16100
    refund = order.refunds.get()
    assert refund.status == RefundStatus.SUCCEEDED and refund.stripe_refund_id.startswith("re_")
    assert (refund.amount_fen, refund.delivery_fee_fen, refund.reason, refund.actor) == (16100, 2500, "买家取消", superuser)
    assert [(part.line, part.amount_fen) for part in refund.lines.all()] == [(order.lines.get(), 13600)]


def test_refund_form_lists_each_line_with_what_is_still_refundable(client, superuser, localstripe):
    order = _paid_order(localstripe)
    line = order.lines.get()
    client.force_login(superuser)
    client.post(_detail(order), {"action": "refund", f"refund-line_{line.pk}_quantity": "1"})
    html = client.get(_detail(order)).content.decode()
    assert f'name="refund-line_{line.pk}_quantity"' in html and f'name="refund-line_{line.pk}_amount"' in html
    assert 'name="refund-delivery_fee"' in html and 'name="refund-everything"' in html
    assert "¥68.00" in html and "¥25.00" in html  # one unit and the delivery fee are left


def test_refund_of_one_unit_refunds_that_units_share_only(client, superuser, localstripe):
    order = _paid_order(localstripe)
    line = order.lines.get()
    client.force_login(superuser)
    response = client.post(_detail(order), {"action": "refund", f"refund-line_{line.pk}_quantity": "1", "refund-reason": "一份坏了"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_REFUNDED and order.refunded_fen == 6800
    part = order.refunds.get().lines.get()
    assert (part.line, part.quantity, part.amount_fen) == (line, 1, 6800)


def test_partial_refund_in_yuan_is_converted_exactly_to_fen(client, superuser, localstripe):
    order = _paid_order(localstripe)
    line = order.lines.get()
    client.force_login(superuser)
    response = client.post(_detail(order), {"action": "refund", f"refund-line_{line.pk}_amount": "68.10", "refund-reason": "一份坏了"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_REFUNDED and order.refunded_fen == 6810
    assert order.refunds.get().amount_fen == 6810
    # and the rest can still be refunded later, to the fen
    client.post(_detail(order), {"action": "refund", f"refund-line_{line.pk}_amount": "¥67.90", "refund-delivery_fee": "25"})
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and order.refunded_fen == 16100


def test_refund_over_the_refundable_amount_is_refused_and_changes_nothing(client, superuser, localstripe):
    order = _paid_order(localstripe)
    line = order.lines.get()
    client.force_login(superuser)
    response = client.post(_detail(order), {"action": "refund", f"refund-line_{line.pk}_amount": "136.01"})
    assert response.status_code == 200
    assert "¥136.00" in response.content.decode()  # the service's message names what is left
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.refunded_fen == 0 and not order.refunds.exists()


def _refundable(line_total_fen: int = 13600, quantity: int = 2, delivery_fen: int = 2500):
    from orders.buying.refunds import LineRemaining, Refundable
    from orders.models import OrderLine

    line = OrderLine(pk=7, product_title="长街蛭子", variant_label="500g", quantity=quantity, line_total_fen=line_total_fen)
    return Refundable(lines=[LineRemaining(line=line, amount_fen=line_total_fen, quantity=quantity)], delivery_fee_fen=delivery_fen)


@pytest.mark.parametrize("amount", ["1.005", "abc", "0", "-3"])
def test_refund_amounts_that_are_not_yuan_and_fen_are_refused_by_the_form(amount):
    form = RefundForm(data={"line_7_amount": amount}, refundable=_refundable())
    assert not form.is_valid()


def test_refund_form_needs_a_line_or_the_everything_shortcut_but_not_both():
    assert not RefundForm(data={}, refundable=_refundable()).is_valid()
    assert not RefundForm(data={"everything": "on", "line_7_quantity": "1"}, refundable=_refundable()).is_valid()
    assert not RefundForm(data={"line_7_quantity": "1", "line_7_amount": "1"}, refundable=_refundable()).is_valid()
    form = RefundForm(data={"everything": "on"}, refundable=_refundable())
    assert form.is_valid(), form.errors
    assert [(r.line_id, r.amount_fen) for r in form.cleaned_data["lines"]] == [(7, 13600)]
    assert form.cleaned_data["delivery_fee_fen"] == 2500


@pytest.mark.parametrize("text, fen", [("0.01", 1), ("68", 6800), ("68.1", 6810), ("¥1,234.56", 123456), ("0.29", 29)])
def test_refund_form_reads_yuan_as_decimal_to_the_exact_fen(text, fen):
    form = RefundForm(data={"line_7_amount": text}, refundable=_refundable(line_total_fen=999_999))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["lines"][0].amount_fen == fen


def test_yuan_to_fen_never_rounds():
    from decimal import Decimal

    assert yuan_to_fen(Decimal("0.07")) == 7  # 0.07 * 100 as a float is 7.000000000000001
    with pytest.raises(ValueError):
        yuan_to_fen(Decimal("0.001"))


def test_cancelling_an_unpaid_order_releases_its_stock(client, superuser):
    before = stock_available(skus=[SKU])[SKU]
    order = place((SKU, 3))
    assert stock_available(skus=[SKU])[SKU] == before - 3
    client.force_login(superuser)
    response = client.post(_detail(order), {"action": "cancel"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert stock_available(skus=[SKU])[SKU] == before
    assert order.events.last().actor == superuser


def test_a_paid_order_cannot_be_cancelled(client, superuser, localstripe):
    order = _paid_order(localstripe)
    client.force_login(superuser)
    response = client.post(_detail(order), {"action": "cancel"})
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


@pytest.mark.parametrize(
    "data",
    [
        {"action": "cancel"},
        {"action": "ship", "ship-carrier": "顺丰速运", "ship-tracking_number": "SF1"},
        {"action": "refund", "refund-everything": "on"},
    ],
)
def test_users_without_change_order_cannot_act(client, viewer, data):
    before = stock_available(skus=[SKU])[SKU]
    order = place((SKU, 2))
    client.force_login(viewer)
    response = client.post(_detail(order), data)
    assert response.status_code in (302, 403)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.events.count() == 1 and not order.shipments.exists() and not order.refunds.exists()
    assert stock_available(skus=[SKU])[SKU] == before - 2


def test_users_without_any_order_permission_cannot_see_an_order(client, django_user_model):
    user = django_user_model.objects.create_user("no-orders", password="pw-for-tests-only")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    order = place((SKU, 1))
    client.force_login(user)
    assert client.get(_detail(order)).status_code in (302, 403)


def test_mask_phone_keeps_the_first_three_and_last_four_digits():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("123") == "***"


def test_a_shipped_order_refunded_in_part_is_not_offered_for_shipping_again(client, superuser, localstripe):
    from orders.buying.refunds import LineRefund, refund_create

    order = _shipped_order(localstripe)
    refund_create(order=order, lines=[LineRefund(line_id=order.lines.get().pk, amount_fen=100)])
    client.force_login(superuser)
    html = client.get(_detail(order)).content.decode()
    assert 'value="ship"' not in html and 'value="refund"' in html


def test_an_accountant_sees_only_orders_of_their_cooperatives(client, django_user_model):
    from django.contrib.auth.models import Permission

    from orders.models import Accountant
    from shop.models import Cooperative
    from tests.orders.helpers import place

    theirs = place(("CJ-ZZ-500G", 1))  # 长街
    other = place(("SM-HS-250G", 1))  # 四明山
    user = django_user_model.objects.create_user("coop-accountant", password="pw-for-tests-only")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_order", "change_order"]))
    Accountant.objects.create(user=user).cooperatives.add(Cooperative.objects.get(slug="changjie-qiangcun"))
    client.force_login(user)
    listing = client.get(reverse("orders_order:index")).content.decode()
    assert theirs.number in listing and other.number not in listing
    assert client.get(reverse("orders_order:edit", args=[theirs.pk])).status_code == 200
    assert client.get(reverse("orders_order:edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("orders_order:edit", args=[other.pk]), {"action": "cancel"}).status_code == 404
