"""The database refuses changes to allocations and to closed months (orders/accounting/ledger_guards.py)."""

from django.db import migrations

from orders.accounting.ledger_guards import guards_install, guards_remove


def install(apps, schema_editor):
    guards_install(schema_editor.connection)


def remove(apps, schema_editor):
    guards_remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("orders", "0009_payment_requests")]

    operations = [migrations.RunPython(install, remove)]
