"""Refunds per line: RefundLine, a refund's kind, delivery fee part and fixed idempotency key.

Existing refunds are given lines by the rule they were booked with (the order's running refund
total split over its lines and delivery fee by amount, largest remainder, lines by id and the
fee last), so every line's allocations still equal its amount less its refund lines. A refund
of a payment other than the one that paid a paid order, for its whole amount and with nothing
reversed, was the automatic refund of a duplicate payment; a refund of an order never paid was
the refund of a late payment. Neither gets lines.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import orders.models


def _split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Largest remainder as it was when these refunds were booked (frozen here)."""
    weight_sum = sum(weights.values())
    if weight_sum == 0:
        return dict.fromkeys(weights, 0)
    order = {key: index for index, key in enumerate(weights)}
    floors = {key: total * weight // weight_sum for key, weight in weights.items()}
    leftover = total - sum(floors.values())
    for key in sorted(weights, key=lambda key: (-(total * weights[key] % weight_sum), order[key]))[:leftover]:
        floors[key] += 1
    return floors


def _kind(refund, order, succeeded_payment_ids: list[int]) -> str:
    if order.paid_at is None:
        return "late"
    whole_payment = refund.amount_fen == refund.payment.amount_fen
    # The first payment to succeed paid the order; a later one was the duplicate.
    paid_by_earlier = any(pk < refund.payment_id for pk in succeeded_payment_ids)
    if whole_payment and paid_by_earlier and not refund.allocations.exists():
        return "duplicate"
    return "goods"


def refunds_give_lines(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Refund = apps.get_model("orders", "Refund")
    RefundLine = apps.get_model("orders", "RefundLine")
    for order in Order.objects.filter(refunds__isnull=False).distinct():
        weights = {str(pk): amount for pk, amount in order.lines.order_by("id").values_list("pk", "line_total_fen")}
        weights["delivery"] = order.shipping_fen
        succeeded = list(order.payments.filter(status="succeeded").values_list("pk", flat=True))
        refunded_before = 0
        for refund in Refund.objects.filter(order=order).select_related("payment").order_by("pk"):
            kind = _kind(refund, order, succeeded)
            keys = {
                "goods": f"refund-{order.number}-{refund.pk}",
                "duplicate": f"refund-{refund.payment.intent_id}-duplicate",
                "late": f"refund-{order.number}-auto",
            }
            refund.kind, refund.idempotency_key = kind, keys[kind]
            if kind == "goods":
                before = _split(refunded_before, weights)
                after = _split(refunded_before + refund.amount_fen, weights)
                RefundLine.objects.bulk_create(
                    RefundLine(refund=refund, line_id=int(key), amount_fen=after[key] - before[key])
                    for key in weights
                    if key != "delivery" and after[key] > before[key]
                )
                refund.delivery_fee_fen = after["delivery"] - before["delivery"]
                if refund.status != "failed":
                    refunded_before += refund.amount_fen
            refund.save(update_fields=["kind", "idempotency_key", "delivery_fee_fen"])


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0007_line_offer"),
    ]

    operations = [
        migrations.CreateModel(
            name="RefundLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("amount_fen", models.BigIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name="amount (fen)")),
                ("quantity", models.PositiveIntegerField(blank=True, null=True, verbose_name="units")),
                ("line", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="refund_lines", to="orders.orderline")),
                ("refund", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="lines", to="orders.refund")),
            ],
            options={"ordering": ["refund", "line_id"]},
        ),
        migrations.AddConstraint(
            model_name="refundline",
            constraint=models.UniqueConstraint(fields=("refund", "line"), name="orders_refundline_once_per_line"),
        ),
        migrations.AddConstraint(
            model_name="refundline",
            constraint=models.CheckConstraint(condition=models.Q(("amount_fen__gte", 1)), name="orders_refundline_amount_positive"),
        ),
        migrations.AddField(
            model_name="refund",
            name="delivery_fee_fen",
            field=models.BigIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0)], verbose_name="delivery fee refunded (fen)"),
        ),
        migrations.AddField(
            model_name="refund",
            name="kind",
            field=models.CharField(choices=[("goods", "Goods and delivery"), ("duplicate", "Duplicate payment"), ("late", "Payment after the order ended")], default="goods", max_length=10, verbose_name="kind"),
        ),
        migrations.AddField(
            model_name="refund",
            name="last_error",
            field=models.CharField(blank=True, max_length=255, verbose_name="last error"),
        ),
        # Without a unique index first: existing rows get their keys from the data step.
        migrations.AddField(
            model_name="refund",
            name="idempotency_key",
            field=models.CharField(blank=True, max_length=100, null=True),
        ),
        migrations.RunPython(refunds_give_lines, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="refund",
            name="idempotency_key",
            field=models.CharField(default=orders.models.refund_key_default, max_length=100, unique=True),
        ),
        migrations.AlterField(
            model_name="refund",
            name="status",
            field=models.CharField(choices=[("requested", "Requested"), ("pending", "Pending"), ("succeeded", "Succeeded"), ("failed", "Failed")], default="requested", max_length=10),
        ),
        migrations.AddConstraint(
            model_name="refund",
            constraint=models.CheckConstraint(condition=models.Q(("delivery_fee_fen__gte", 0), ("delivery_fee_fen__lte", models.F("amount_fen"))), name="orders_refund_delivery_fee_within_amount"),
        ),
    ]
