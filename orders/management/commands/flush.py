"""Django's flush, which on SQLite deletes every row, with the ledger's guard lifted for the wipe.

The ledger's triggers refuse deleting allocations and closed months' rows; emptying the whole
database is the one operation that must get past them. PostgreSQL's flush truncates, which row
triggers do not see. The guard is put back whatever happens.
"""

from django.core.management.commands import flush
from django.db import connections

from orders.accounting.ledger_guards import guards_install, guards_remove


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        guards_remove(connection)
        try:
            return super().handle(**options)
        finally:
            guards_install(connection)
