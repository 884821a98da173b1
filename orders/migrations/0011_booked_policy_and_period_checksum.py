"""Keep each line's booked split policy and each closed period's checksum, for the ledger audit.

Periods already closed get their checksum from their rows as they are now (the triggers of 0010
have kept them unchanged since they closed). Lines booked before this migration keep an empty
policy: the rates they were booked with are not known, and the audit checks them by their sums.
"""

from django.db import migrations, models

from orders.accounting.checksums import period_rows_checksum
from orders.accounting.ledger_guards import guards_install, guards_remove


def lift_guards(apps, schema_editor):
    # SQLite adds a column by rebuilding the table, which the triggers on the ledger's tables
    # (they name orders_settlementperiod) would refuse mid-rebuild; they are put back below.
    guards_remove(schema_editor.connection)


def restore_guards(apps, schema_editor):
    guards_install(schema_editor.connection)


def checksum_closed_periods(apps, schema_editor):
    SettlementPeriod = apps.get_model("orders", "SettlementPeriod")
    Allocation = apps.get_model("orders", "Allocation")
    LabourDistribution = apps.get_model("orders", "LabourDistribution")
    Payout = apps.get_model("orders", "Payout")
    for period_id in SettlementPeriod.objects.filter(status="closed", checksum="").values_list("pk", flat=True):
        checksum = period_rows_checksum(
            allocations=Allocation.objects.filter(period_id=period_id),
            distributions=LabourDistribution.objects.filter(period_id=period_id),
            payouts=Payout.objects.filter(period_id=period_id),
        )
        # Only the checksum column: the closed-period trigger guards status, month, cooperative, closed_at.
        SettlementPeriod.objects.filter(pk=period_id).update(checksum=checksum)


class Migration(migrations.Migration):
    dependencies = [("orders", "0010_ledger_guards")]

    operations = [
        migrations.RunPython(lift_guards, restore_guards),
        migrations.AddField(
            model_name="orderline",
            name="booked_policy",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="settlementperiod",
            name="checksum",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(checksum_closed_periods, migrations.RunPython.noop),
        migrations.RunPython(restore_guards, lift_guards),
    ]
