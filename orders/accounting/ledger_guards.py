"""The database's own guard over the books (DESIGN.md §3), as triggers on PostgreSQL and SQLite.

- Allocations are append-only: UPDATE and DELETE are refused.
- A closed month's rows stay as they were closed: no allocation, labour distribution or payout
  is added to, changed in or removed from a closed period, and none is added to (or moved into)
  a month before the cooperative's latest closed month.
- A closed period keeps its status, month, cooperative, closing time and the checksum of its
  rows taken when it closed, and is never deleted.

Refusals raise IntegrityError in Django, whatever the Python code above them does. Updates that
only null a user reference (a deleted user's `recorded_by`/`closed_by`) are allowed: they are
not changes to the books. `manage.py flush` (which deletes rows on SQLite) lifts the guard for
the wipe and puts it back (orders/management/commands/flush.py).
"""

from django.db.backends.base.base import BaseDatabaseWrapper

APPEND_ONLY = "Allocations are append-only: book a correcting entry instead of changing or deleting one."
CLOSED = (
    "This month is closed, or comes before a closed month: its entries cannot change and it takes no new "
    "ones. Book into the current open month."
)
PERIOD_CLOSED = "A closed settlement period cannot be reopened, changed or deleted."

# Tables holding a period's rows, with the columns whose change is a change to the books.
PERIOD_ROWS = {
    "orders_allocation": None,  # every change refused by APPEND_ONLY already
    "orders_labourdistribution": ["period_id", "workshop_id", "participant_id", "work", "amount_fen"],
    "orders_payout": [
        "period_id", "recipient_type", "village_id", "participant_id", "host_id", "amount_fen", "bank_reference", "paid_on",
    ],
}

# What a closed period keeps; the checksum once its column exists (migration 0011 adds it and
# installs the guard again).
CLOSED_PERIOD_COLUMNS = ["status", "month", "cooperative_id", "closed_at"]
CHECKSUM_COLUMN = "checksum"

# NEW's period is closed, or lies before a closed month of its cooperative.
_NEW_PERIOD_LOCKED = """EXISTS (
    SELECT 1 FROM orders_settlementperiod p WHERE p.id = NEW.period_id AND (
        p.status = 'closed' OR EXISTS (
            SELECT 1 FROM orders_settlementperiod c
            WHERE c.cooperative_id = p.cooperative_id AND c.status = 'closed' AND c.month > p.month)))"""
_OLD_PERIOD_CLOSED = "EXISTS (SELECT 1 FROM orders_settlementperiod p WHERE p.id = OLD.period_id AND p.status = 'closed')"


def _sqlite_statements(period_columns: list[str] = CLOSED_PERIOD_COLUMNS) -> list[str]:
    def trigger(name: str, when: str, table: str, condition: str | None, message: str) -> str:
        guard = f"WHEN {condition}" if condition else ""
        return f"CREATE TRIGGER {name} BEFORE {when} ON {table} {guard} BEGIN SELECT RAISE(ABORT, '{message}'); END"

    statements = [
        trigger("orders_allocation_no_update", "UPDATE", "orders_allocation", None, APPEND_ONLY),
        trigger("orders_allocation_no_delete", "DELETE", "orders_allocation", None, APPEND_ONLY),
    ]
    for table, columns in PERIOD_ROWS.items():
        statements.append(trigger(f"{table}_insert_guard", "INSERT", table, _NEW_PERIOD_LOCKED, CLOSED))
        if columns is None:
            continue
        update_of = f"UPDATE OF {', '.join(columns)}"
        statements += [
            trigger(f"{table}_update_closed", update_of, table, _OLD_PERIOD_CLOSED, CLOSED),
            trigger(f"{table}_update_guard", update_of, table, _NEW_PERIOD_LOCKED, CLOSED),
            trigger(f"{table}_delete_guard", "DELETE", table, _OLD_PERIOD_CLOSED, CLOSED),
        ]
    statements += [
        trigger("orders_period_closed_update", f"UPDATE OF {', '.join(period_columns)}",
                "orders_settlementperiod", "OLD.status = 'closed'", PERIOD_CLOSED),
        trigger("orders_period_closed_delete", "DELETE", "orders_settlementperiod", "OLD.status = 'closed'", PERIOD_CLOSED),
    ]
    return statements


def _sqlite_trigger_names() -> list[str]:
    return [statement.split()[2] for statement in _sqlite_statements()]


def _postgres_statements(period_columns: list[str] = CLOSED_PERIOD_COLUMNS) -> list[str]:
    def function(name: str, body: str) -> str:
        return f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$"

    def refuse(message: str) -> str:
        return f"RAISE EXCEPTION '{message}' USING ERRCODE = '23000';"

    statements = [
        function("orders_refuse_append_only", refuse(APPEND_ONLY)),
        function(
            "orders_guard_period_rows",
            f"IF TG_OP IN ('UPDATE', 'DELETE') AND {_OLD_PERIOD_CLOSED} THEN {refuse(CLOSED)} END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') AND {_NEW_PERIOD_LOCKED} THEN {refuse(CLOSED)} END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;",
        ),
        function("orders_guard_closed_period", f"IF OLD.status = 'closed' THEN {refuse(PERIOD_CLOSED)} END IF; "
                 "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;"),
        "CREATE TRIGGER orders_allocation_append_only BEFORE UPDATE OR DELETE ON orders_allocation "
        "FOR EACH ROW EXECUTE FUNCTION orders_refuse_append_only()",
    ]
    for table, columns in PERIOD_ROWS.items():
        events = "INSERT" if columns is None else f"INSERT OR UPDATE OF {', '.join(columns)} OR DELETE"
        statements.append(
            f"CREATE TRIGGER {table}_period_guard BEFORE {events} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION orders_guard_period_rows()"
        )
    statements.append(
        f"CREATE TRIGGER orders_period_closed_guard BEFORE UPDATE OF {', '.join(period_columns)} OR DELETE "
        "ON orders_settlementperiod FOR EACH ROW EXECUTE FUNCTION orders_guard_closed_period()"
    )
    return statements


def _drop_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in _sqlite_trigger_names()]
    triggers = ["orders_allocation_append_only ON orders_allocation", "orders_period_closed_guard ON orders_settlementperiod"]
    triggers += [f"{table}_period_guard ON {table}" for table in PERIOD_ROWS]
    functions = ["orders_refuse_append_only", "orders_guard_period_rows", "orders_guard_closed_period"]
    return [f"DROP TRIGGER IF EXISTS {t}" for t in triggers] + [f"DROP FUNCTION IF EXISTS {f}()" for f in functions]


def guards_install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (replacing any there). Raises NotImplementedError on another database."""
    statements = {"sqlite": _sqlite_statements, "postgresql": _postgres_statements}.get(connection.vendor)
    if statements is None:
        raise NotImplementedError(f"The ledger's triggers exist for SQLite and PostgreSQL, not {connection.vendor}.")
    guards_remove(connection)
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, "orders_settlementperiod")]
        period_columns = CLOSED_PERIOD_COLUMNS + ([CHECKSUM_COLUMN] if CHECKSUM_COLUMN in columns else [])
        for statement in statements(period_columns):
            cursor.execute(statement)


def guards_remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _drop_statements(connection.vendor):
            cursor.execute(statement)
