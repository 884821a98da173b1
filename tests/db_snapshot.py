"""A copy of every table's rows, taken once and written back after a transactional test.

Transactional tests end with a flush that empties every table, the demo catalogue with it.
Loading the demo again goes through Wagtail's page tree, revisions, the reference index and the
search signals (about 11 s each time); writing back the rows as they were takes a fraction of a
second and gives exactly the same database, primary keys included.

Rows are kept in the database's own text form (COPY on PostgreSQL, SQLite's stored values read
through a plain connection), so no column type is converted on the way out or back in.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.color import no_style
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from orders.accounting.ledger_guards import guards_install, guards_remove


@dataclass
class DatabaseSnapshot:
    alias: str
    tables: list[str]
    # SQLite: table -> (columns, rows); PostgreSQL: table -> COPY text. Tables missing here are
    # emptied and left to the triggers that fill them.
    contents: dict[str, object] = field(default_factory=dict)

    @classmethod
    def take(cls, connection: BaseDatabaseWrapper) -> DatabaseSnapshot:
        tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
        snapshot = cls(alias=connection.alias, tables=tables)
        connection.ensure_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in tables:
                    with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} TO STDOUT") as copy:
                        snapshot.contents[table] = b"".join(bytes(chunk) for chunk in copy)
        elif connection.vendor == "sqlite":
            # Django's own connection converts dates and booleans on reading; a plain copy of
            # the database gives the values exactly as stored.
            plain = sqlite3.connect(":memory:")
            connection.connection.backup(plain)
            # Full-text tables (Wagtail's admin search) are filled by triggers on their entries
            # table: writing their rows back as well would insert every entry twice.
            virtual = {name for (name,) in plain.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
            )}
            for table in sorted(set(tables) - virtual):
                cursor = plain.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                snapshot.contents[table] = ([column[0] for column in cursor.description], cursor.fetchall())
            plain.close()
        else:
            raise NotImplementedError(f"No snapshot for {connection.vendor}; the suite runs on SQLite and PostgreSQL.")
        return snapshot

    def restore(self, connection: BaseDatabaseWrapper) -> None:
        """Empty the tables and write the snapshot's rows back, in one transaction."""
        quote = connection.ops.quote_name
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            # Foreign keys are DEFERRABLE INITIALLY DEFERRED on both databases: checked at commit,
            # so the tables can be filled in any order.
            # DELETE, not TRUNCATE: after a flush the tables are (nearly) empty, and PostgreSQL's
            # TRUNCATE of every table costs seconds whatever they hold.
            # The ledger's triggers refuse deleting allocations and closed months' rows: lifted
            # for the wipe, as flush does, and put back before the transaction commits.
            guards_remove(connection)
            for table in self.tables:
                cursor.execute(f"DELETE FROM {quote(table)}")
            for table in self.tables:
                if connection.vendor == "postgresql":
                    if self.contents.get(table):
                        with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                            copy.write(self.contents[table])
                elif table in self.contents:
                    columns, rows = self.contents[table]
                    if rows:
                        names = ", ".join(quote(column) for column in columns)
                        marks = ", ".join(["%s"] * len(columns))
                        cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)
            guards_install(connection)
            models = apps.get_models(include_auto_created=True)
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        # The flush and this restore bypassed the ORM: drop what was cached from the rows before.
        from django.contrib.contenttypes.models import ContentType
        from wagtail.models import Site

        ContentType.objects.clear_cache()
        Site.clear_site_root_paths_cache()
