"""Periodic payment jobs (config/celery.py schedules them): thin shells over the services of the
same name, safe to run twice or alongside webhooks."""

from celery import shared_task

from orders.buying import expiry, payments
from shop.inventory import stock_release_expired


@shared_task
def orders_expire_unpaid() -> int:
    expired = expiry.orders_expire_unpaid()
    stock_release_expired()
    return expired


@shared_task
def payments_reconcile_pending() -> int:
    return payments.payments_reconcile_pending()
