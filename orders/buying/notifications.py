"""Emails to buyers about their orders."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from orders.models import Order


def _send(order: Order, template: str, subject: str) -> bool:
    if not order.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, {"order": order, "lines": order.lines.all(), "shipment": order.shipments.last()})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [order.email])
    return True


def order_confirmation_send(*, order: Order) -> bool:
    """Tell the buyer the order is paid. Returns False when the order has no email."""
    return _send(order, "orders/email/confirmation.txt", f"联建优品订单 {order.number} 已付款")


def shipping_notification_send(*, order: Order) -> bool:
    return _send(order, "orders/email/shipped.txt", f"联建优品订单 {order.number} 已发货")
