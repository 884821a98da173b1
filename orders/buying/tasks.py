"""Celery tasks: thin shells over the services of the same name; safe to run twice.

The periodic payment jobs are in payment_tasks.py: they call the payment services, which
enqueue these, so keeping them apart keeps imports one way.
"""

from celery import shared_task

from orders.buying import notifications, refunds
from orders.buying.stripe_gateway import PaymentGatewayError
from orders.models import Order, Refund


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def order_confirmation_send(order_id: int) -> bool:
    order = Order.objects.filter(pk=order_id).first()
    return bool(order) and notifications.order_confirmation_send(order=order)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def shipping_notification_send(order_id: int) -> bool:
    order = Order.objects.filter(pk=order_id).first()
    return bool(order) and notifications.shipping_notification_send(order=order)


@shared_task(autoretry_for=(PaymentGatewayError,), retry_backoff=True, max_retries=8)
def refund_send(refund_id: int) -> str:
    """Send a requested refund with its own idempotency key; a sent one is left as it is."""
    refund = Refund.objects.filter(pk=refund_id).first()
    return refunds.refund_send(refund=refund).status if refund else ""


@shared_task
def refunds_send_requested() -> int:
    return refunds.refunds_send_requested()
