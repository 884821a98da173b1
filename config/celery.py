"""The Celery app. Without CELERY_BROKER_URL tasks run eagerly in the calling process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("alliance_market")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Every periodic schedule, in one place.
app.conf.beat_schedule = {
    # Housekeeping only: reads already ignore expired holds.
    "expire-unpaid-orders": {"task": "orders.tasks.expire_unpaid_orders", "schedule": 60.0},
    "stop-finished-live-offers": {"task": "livestream.tasks.offer_stop_due", "schedule": 15.0},
}
