"""What lies behind a statement figure: the ledger entries that make it up.

For a village, host, platform or reserve: the allocations booked in the cooperative's period
of the month, one row per entry with its order line (so a line refunded twice shows three
rows). For a participant: the labour distributions booked at the period's close, with the
workshop and the recorded work. Summing the amounts of the earning (reversal) rows gives the
statement's earned (reversed) figure exactly, because the same entries are selected with the
same rules as orders.accounting.statements.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from orders.accounting.exports import Table
from orders.accounting.months import local_date, month_first, month_format
from orders.accounting.statements import Recipient, recipient_allocations
from orders.models import EntryType, LabourDistribution, PayoutRecipient
from shop.models import Cooperative


@dataclass(frozen=True)
class LineBehind:
    """One allocation behind a figure: which order line, and this recipient's part of it."""

    allocation_id: int
    booked_at: datetime.datetime
    date: datetime.date  # Asia/Shanghai date the money moved: paid (earning) or refunded (reversal)
    order_number: str
    product_title: str
    variant_label: str
    line_total_fen: int
    amount_fen: int  # this recipient's allocation; negative for a reversal
    entry_type: str  # an EntryType value
    refund_id: int | None


@dataclass(frozen=True)
class DistributionBehind:
    """One labour distribution behind a participant's earned figure."""

    distribution_id: int
    booked_at: datetime.datetime
    date: datetime.date
    workshop_name: str
    work: int
    amount_fen: int
    entry_type: str = EntryType.EARNING


def _check_entry_type(entry_type: str | None) -> None:
    if entry_type is not None and entry_type not in EntryType.values:
        raise ValueError(
            f"Unknown entry type {entry_type!r}; use one of {', '.join(EntryType.values)} or None for both."
        )


def lines_behind(
    *, cooperative: Cooperative, month: datetime.date, recipient: Recipient, entry_type: str | None = None,
) -> list[LineBehind] | list[DistributionBehind]:
    """The entries behind the recipient's earned/reversed figures for the month, by booked time.

    Participants get DistributionBehind rows (distributions only earn, so asking for
    reversals gives none); everyone else LineBehind rows. Raises ValueError for an unknown
    entry_type.
    """
    _check_entry_type(entry_type)
    month = month_first(month)
    if recipient.type == PayoutRecipient.PARTICIPANT:
        if entry_type == EntryType.REVERSAL:
            return []
        distributions = (
            LabourDistribution.objects.filter(
                period__cooperative=cooperative, period__month=month, participant_id=recipient.participant_id,
            )
            .select_related("workshop")
            .order_by("created_at", "id")
        )
        return [
            DistributionBehind(
                distribution_id=d.pk, booked_at=d.created_at, date=local_date(d.created_at),
                workshop_name=d.workshop.name, work=d.work, amount_fen=d.amount_fen,
            )
            for d in distributions
        ]
    allocations = recipient_allocations(cooperative, recipient).filter(period__month=month)
    if entry_type is not None:
        allocations = allocations.filter(entry_type=entry_type)
    rows = (
        allocations.order_by("booked_at", "id")
        .values_list(
            "pk", "booked_at", "line__order__number", "line__product_title", "line__variant_label",
            "line__line_total_fen", "amount_fen", "entry_type", "refund_id",
        )
    )
    return [
        LineBehind(
            allocation_id=pk, booked_at=booked_at, date=local_date(booked_at),
            order_number=number, product_title=title, variant_label=variant, line_total_fen=line_total,
            amount_fen=amount, entry_type=kind, refund_id=refund_id,
        )
        for pk, booked_at, number, title, variant, line_total, amount, kind, refund_id in rows
    ]


def drilldown_table(
    *, cooperative: Cooperative, month: datetime.date, recipient: Recipient, title: str = "",
    entry_type: str | None = None,
) -> Table:
    """lines_behind as a Table for the writers of orders.accounting.exports, totalling this recipient's amounts.

    The line-amount column is not totalled: a line appears once per entry, so its sum means nothing.
    """
    rows = lines_behind(cooperative=cooperative, month=month, recipient=recipient, entry_type=entry_type)
    entry_labels = dict(EntryType.choices)
    title = title or _("Entries behind the statement for %(month)s") % {"month": month_format(month)}
    if recipient.type == PayoutRecipient.PARTICIPANT:
        return Table(
            title=title,
            headers=[_("Date"), _("Workshop"), _("Work"), _("Amount"), _("Entry")],
            rows=[
                [r.date.isoformat(), r.workshop_name, r.work, r.amount_fen, str(entry_labels[r.entry_type])] for r in rows
            ],
            totals=[_("Total"), "", "", sum(r.amount_fen for r in rows), ""],  # work in units and hours does not add
            money_columns=(3,),
        )
    return Table(
        title=title,
        headers=[_("Date"), _("Order number"), _("Product"), _("Variant"), _("Line amount"), _("Amount"), _("Entry")],
        rows=[
            [r.date.isoformat(), r.order_number, r.product_title, r.variant_label, r.line_total_fen, r.amount_fen,
             str(entry_labels[r.entry_type])]
            for r in rows
        ],
        totals=[_("Total"), "", "", "", "", sum(r.amount_fen for r in rows), ""],
        money_columns=(4, 5),
    )
