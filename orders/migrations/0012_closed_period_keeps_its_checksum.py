"""The closed-period guard also keeps the checksum of a closed month's rows (ledger_guards)."""

from django.db import migrations

from orders.accounting.ledger_guards import guards_install


def install(apps, schema_editor):
    guards_install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("orders", "0011_booked_policy_and_period_checksum")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
