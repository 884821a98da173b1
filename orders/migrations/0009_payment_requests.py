"""Payments recorded before Stripe is asked: a requested state, an idempotency key fixed on the
row, an intent id that is empty until Stripe answers, and when a payment was seen to succeed."""

from django.db import migrations, models

import orders.models


def keys_and_success_times(apps, schema_editor):
    Payment = apps.get_model("orders", "Payment")
    for payment in Payment.objects.all().only("pk", "status", "updated_at"):
        payment.idempotency_key = f"payment-{payment.pk}"
        if payment.status == "succeeded":
            payment.succeeded_at = payment.updated_at
        payment.save(update_fields=["idempotency_key", "succeeded_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0008_refund_lines"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="idempotency_key",
            field=models.CharField(max_length=100, null=True),
        ),
        migrations.AddField(
            model_name="payment",
            name="succeeded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(keys_and_success_times, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="payment",
            name="idempotency_key",
            field=models.CharField(default=orders.models.payment_idempotency_key, max_length=100, unique=True),
        ),
        migrations.AlterField(
            model_name="payment",
            name="intent_id",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="payment",
            name="client_secret",
            field=models.CharField(blank=True, max_length=128),
        ),
        migrations.AlterField(
            model_name="payment",
            name="status",
            field=models.CharField(
                choices=[
                    ("requested", "Requested"), ("created", "Created"), ("requires_action", "Needs authentication"),
                    ("succeeded", "Succeeded"), ("failed", "Failed"), ("canceled", "Cancelled"),
                ],
                default="created", max_length=20,
            ),
        ),
    ]
