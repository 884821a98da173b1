"""The Celery app. Without CELERY_BROKER_URL tasks run eagerly in the calling process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("alliance_market")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's `tasks` module, the buying package's and its periodic payment jobs, and the media
# server's tasks of live selling.
app.autodiscover_tasks()
app.autodiscover_tasks(["orders.buying"])
app.autodiscover_tasks(["orders.buying"], related_name="payment_tasks")
app.autodiscover_tasks(["livestream"], related_name="media_tasks")
# Every periodic schedule, in one place.
app.conf.beat_schedule = {
    # Asks Stripe before expiring; holds themselves need no job: reads ignore expired ones.
    "expire-unpaid-orders": {"task": "orders.buying.payment_tasks.orders_expire_unpaid", "schedule": 60.0},
    # Whatever webhooks were lost: every payment left pending is read from Stripe and applied.
    "reconcile-pending-payments": {"task": "orders.buying.payment_tasks.payments_reconcile_pending", "schedule": 300.0},
    # Refunds whose Stripe call failed or whose answer was lost: sent again with their own key.
    "send-requested-refunds": {"task": "orders.buying.tasks.refunds_send_requested", "schedule": 300.0},
    "stop-finished-live-offers": {"task": "livestream.tasks.offer_stop_due", "schedule": 15.0},
}
