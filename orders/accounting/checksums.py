"""A closed month's fingerprint: SHA-256 over its rows in a canonical order.

Stored on the period when it closes and recomputed by the audit, so a change to a closed month
is named even when the database's triggers (ledger_guards) were dropped to make it. The rows
are the period's allocations, labour distributions and payouts, each table in id order, with
the columns that are the books (who, how much, what for, when); bookkeeping columns that may
legitimately change later (a deleted user's `recorded_by`) and creation stamps are left out.

Works on querysets of the live or of a migration's historical models alike, so a migration can
back-fill checksums computed exactly as period_close computes them.
"""

import hashlib
import json

from django.db.models import QuerySet

ALLOCATION_FIELDS = (
    "id", "line_id", "cooperative_id", "recipient_type", "village_id", "workshop_id", "host_id",
    "entry_type", "refund_id", "amount_fen", "booked_at",
)
DISTRIBUTION_FIELDS = ("id", "workshop_id", "participant_id", "work", "amount_fen")
PAYOUT_FIELDS = (
    "id", "recipient_type", "village_id", "participant_id", "host_id", "amount_fen", "bank_reference", "paid_on",
)


def period_rows_checksum(*, allocations: QuerySet, distributions: QuerySet, payouts: QuerySet) -> str:
    """Hex SHA-256 of one period's rows (each queryset already filtered to that period).

    Deterministic for the same rows on the same database: each row is a JSON array of its
    values (dates and times as ISO text, in UTC as the database returns them), prefixed by its
    table, one per line, tables in a fixed order and rows by id.
    """
    digest = hashlib.sha256()
    for table, rows, fields in (
        ("allocation", allocations, ALLOCATION_FIELDS),
        ("labourdistribution", distributions, DISTRIBUTION_FIELDS),
        ("payout", payouts, PAYOUT_FIELDS),
    ):
        for row in rows.order_by("id").values_list(*fields).iterator(chunk_size=2000):
            values = [value.isoformat() if hasattr(value, "isoformat") else value for value in row]
            line = json.dumps([table, *values], ensure_ascii=False, separators=(",", ":"))
            digest.update(line.encode())
            digest.update(b"\n")
    return digest.hexdigest()
