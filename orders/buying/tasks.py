"""Celery tasks: thin shells over the services of the same name; safe to run twice."""

from celery import shared_task

from orders.buying import expiry, notifications
from orders.models import Order
from shop.inventory import stock_release_expired


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def order_confirmation_send(order_id: int) -> bool:
    order = Order.objects.filter(pk=order_id).first()
    return bool(order) and notifications.order_confirmation_send(order=order)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def shipping_notification_send(order_id: int) -> bool:
    order = Order.objects.filter(pk=order_id).first()
    return bool(order) and notifications.shipping_notification_send(order=order)


@shared_task
def orders_expire_unpaid() -> int:
    expired = expiry.orders_expire_unpaid()
    stock_release_expired()
    return expired
