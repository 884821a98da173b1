"""What a session sold: live figures for the host console and the report after it ends.

A sale counts once its order is paid (refunded orders included in GMV, their refunds shown
apart). The commission is read from the ledger's host allocations, so the report and the
host's statement can never disagree.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Max, Sum
from django.utils.translation import gettext as _

from livestream.models import Comment, LiveSession
from livestream.presence import viewer_count
from orders.models import Allocation, EntryType, OrderLine, OrderStatus, RecipientType
from shop.money import format_rate, plain_yuan

SOLD = (
    OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED,
    OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED,
)


def _sold_lines(session: LiveSession):
    return OrderLine.objects.filter(live_session_id=session.pk, order__status__in=SOLD)


def _buyer_key(user_id: int | None, phone: str) -> str:
    return f"u{user_id}" if user_id else f"p{phone}"


def session_stats(session: LiveSession) -> dict:
    """The console's live figures: GMV, orders, units, buyers, commission, chat and audience."""
    lines = _sold_lines(session)
    totals = lines.aggregate(gmv=Sum("line_total_fen"), units=Sum("quantity"), orders=Count("order", distinct=True))
    buyers = {_buyer_key(u, p) for u, p in lines.values_list("order__user_id", "order__phone").distinct()}
    commission = Allocation.objects.filter(
        recipient_type=RecipientType.HOST, line__live_session_id=session.pk
    ).aggregate(total=Sum("amount_fen"))["total"] or 0
    return {
        "gmv_fen": totals["gmv"] or 0,
        "orders": totals["orders"] or 0,
        "units": totals["units"] or 0,
        "buyers": len(buyers),
        "commission_fen": commission,
        "comments": Comment.objects.filter(session=session, removed_at__isnull=True).count(),
        "viewers": viewer_count(session.pk),
        "peak_viewers": session.peak_viewers,
        "likes": session.likes,
    }


@dataclass
class ItemRow:
    sku: str
    title: str
    label: str
    units: int
    gmv_fen: int


@dataclass
class SessionReport:
    session: LiveSession
    gmv_fen: int = 0
    refunded_fen: int = 0
    orders: int = 0
    units: int = 0
    buyers: int = 0
    peak_viewers: int = 0
    average_viewers: int = 0
    commission_fen: int = 0
    likes: int = 0
    comments: int = 0
    items: list[ItemRow] = field(default_factory=list)

    @property
    def conversion_bp(self) -> int:
        """Buyers per peak viewer, in basis points (0 with no audience)."""
        return self.buyers * 10_000 // self.peak_viewers if self.peak_viewers else 0

    @property
    def conversion_percent(self) -> str:
        return format_rate(self.conversion_bp)


def session_report(session: LiveSession) -> SessionReport:
    """The session's report: sales, audience, conversion, commission and best sellers."""
    stats = session_stats(session)
    lines = _sold_lines(session)
    samples = session.viewer_samples.aggregate(avg=Avg("viewers"), peak=Max("viewers"))
    # The refunded share of these lines is what the ledger reversed for them, to the fen.
    reversed_total = Allocation.objects.filter(
        line__live_session_id=session.pk, entry_type=EntryType.REVERSAL
    ).aggregate(total=Sum("amount_fen"))["total"] or 0
    refunded = -reversed_total
    items = [
        ItemRow(sku=row["sku"], title=row["product_title"], label=row["variant_label"], units=row["units"], gmv_fen=row["gmv"])
        for row in lines.values("sku", "product_title", "variant_label")
        .annotate(units=Sum("quantity"), gmv=Sum("line_total_fen"))
        .order_by("-gmv", "-units", "sku")
    ]
    return SessionReport(
        session=session,
        gmv_fen=stats["gmv_fen"],
        refunded_fen=refunded or 0,
        orders=stats["orders"],
        units=stats["units"],
        buyers=stats["buyers"],
        peak_viewers=max(session.peak_viewers, samples["peak"] or 0),
        average_viewers=round(samples["avg"] or 0),
        commission_fen=stats["commission_fen"],
        likes=session.likes,
        comments=stats["comments"],
        items=items,
    )


def session_report_csv(report: SessionReport) -> bytes:
    """The report as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    session = report.session
    writer.writerow([_("Session"), session.title])
    writer.writerow([_("Host"), session.host.display_name])
    writer.writerow([_("Started"), session.started_at.isoformat() if session.started_at else ""])
    writer.writerow([_("Ended"), session.ended_at.isoformat() if session.ended_at else ""])
    for label, value in (
        (_("GMV (yuan)"), plain_yuan(report.gmv_fen)),
        (_("Refunded (yuan)"), plain_yuan(report.refunded_fen)),
        (_("Orders"), report.orders),
        (_("Units"), report.units),
        (_("Unique buyers"), report.buyers),
        (_("Peak viewers"), report.peak_viewers),
        (_("Average viewers"), report.average_viewers),
        (_("Conversion (buyers per peak viewer)"), report.conversion_percent),
        (_("Host commission (yuan)"), plain_yuan(report.commission_fen)),
        (_("Likes"), report.likes),
        (_("Comments"), report.comments),
    ):
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow([_("SKU"), _("Product"), _("Variant"), _("Units"), _("GMV (yuan)")])
    for item in report.items:
        writer.writerow([item.sku, item.title, item.label, item.units, plain_yuan(item.gmv_fen)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
