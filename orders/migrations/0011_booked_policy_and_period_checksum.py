"""Keep each line's booked split policy and each closed period's checksum, for the ledger audit.

Periods already closed get their checksum from their rows as they are now (the triggers of 0010
have kept them unchanged since they closed). A line booked before this migration gets today's
policy only where that policy reproduces its booked earnings exactly, recipient by recipient and
workshop; otherwise its policy stays empty and the audit checks it by its sums.
"""

import itertools
import json

from django.db import migrations, models

from orders.accounting.checksums import period_rows_checksum
from orders.accounting.ledger import VILLAGE_PREFIX, LinePolicy, split_line
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


def _first_set(*values):
    return next((value for value in values if value is not None), None)


def _policy_today(line, product, cooperative, site_rate_bp, shares) -> tuple[dict, LinePolicy]:
    """The policy booking would use for the line today: as stored in OrderLine.booked_policy, and
    as a LinePolicy.

    A frozen copy of orders.accounting.allocations._policy_for and shop.policy as they are at
    this migration, on the historical models. Raises ValueError for rates no line can use.
    """
    if product is not None and product.cooperative_id == cooperative.pk:
        platform = _first_set(product.platform_rate_bp, cooperative.platform_rate_bp, site_rate_bp)
        reserve = _first_set(product.reserve_rate_bp, cooperative.reserve_rate_bp)
        if product.labour_rate_bp is not None:
            labour_rate, per_unit = product.labour_rate_bp, 0
        elif product.labour_per_unit_fen is not None:
            labour_rate, per_unit = None, product.labour_per_unit_fen
        else:
            labour_rate, per_unit = cooperative.labour_rate_bp, cooperative.labour_per_unit_fen
        per_unit = per_unit if labour_rate is None else 0
        workshop_id = product.workshop_id
    else:
        platform = _first_set(cooperative.platform_rate_bp, site_rate_bp)
        reserve, per_unit, labour_rate = cooperative.reserve_rate_bp, cooperative.labour_per_unit_fen, cooperative.labour_rate_bp
        workshop_id = None
    has_workshop = workshop_id is not None
    policy = LinePolicy(
        platform_rate_bp=platform, reserve_rate_bp=reserve,
        labour_per_unit_fen=per_unit if has_workshop else 0, labour_rate_bp=labour_rate if has_workshop else None,
        host_rate_bp=(line.host_rate_bp or 0) if line.live_session_id else 0, shares=shares,
    )
    return {
        "platform_rate_bp": policy.platform_rate_bp, "host_rate_bp": policy.host_rate_bp,
        "reserve_rate_bp": policy.reserve_rate_bp, "labour_per_unit_fen": policy.labour_per_unit_fen,
        "labour_rate_bp": policy.labour_rate_bp,
        "shares": {str(village_id): count for village_id, count in sorted(shares.items())}, "workshop_id": workshop_id,
    }, policy


def keep_reproducible_policies(apps, schema_editor):
    OrderLine = apps.get_model("orders", "OrderLine")
    Allocation = apps.get_model("orders", "Allocation")
    Cooperative = apps.get_model("shop", "Cooperative")
    ProductPage = apps.get_model("shop", "ProductPage")
    MarketSettings = apps.get_model("shop", "MarketSettings")
    settings = MarketSettings.objects.filter(site__is_default_site=True).first()
    site_rate_bp = settings.platform_rate_bp if settings else MarketSettings._meta.get_field("platform_rate_bp").default
    cooperatives = {cooperative.pk: cooperative for cooperative in Cooperative.objects.all()}
    shares = {
        cooperative_id: dict(cooperative.shareholdings.values_list("village_id", "shares"))
        for cooperative_id, cooperative in cooperatives.items()
    }
    products = {product.pk: product for product in ProductPage.objects.all()}
    earnings = (
        Allocation.objects.filter(entry_type="earning", refund__isnull=True, line__booked_policy__isnull=True)
        .order_by("line_id", "id").values_list("line_id", "recipient_type", "village_id", "workshop_id", "amount_fen")
        .iterator(chunk_size=5000)
    )
    kept: dict[str, tuple[dict, list[int]]] = {}
    by_line = ((line_id, list(rows)) for line_id, rows in itertools.groupby(earnings, key=lambda row: row[0]))
    while batch := list(itertools.islice(by_line, 1000)):
        lines = OrderLine.objects.in_bulk([line_id for line_id, _rows in batch])
        for line_id, rows in batch:
            line = lines[line_id]
            cooperative = cooperatives.get(line.cooperative_id)
            if cooperative is None:
                continue
            booked: dict[str, int] = {}
            labour_workshops = set()
            for _line_id, recipient_type, village_id, workshop_id, amount in rows:
                key = f"{VILLAGE_PREFIX}{village_id}" if recipient_type == "village" else recipient_type
                booked[key] = booked.get(key, 0) + amount
                if recipient_type == "labour":
                    labour_workshops.add(workshop_id)
            try:
                stored, policy = _policy_today(line, products.get(line.product_id), cooperative, site_rate_bp, shares[cooperative.pk])
            except ValueError:
                continue
            split = split_line(amount_fen=line.line_total_fen, quantity=line.quantity, policy=policy)
            reproduced = {key: part for key, part in split.items() if part} == {key: part for key, part in booked.items() if part}
            if reproduced and labour_workshops <= {stored["workshop_id"]}:
                kept.setdefault(json.dumps(stored, sort_keys=True), (stored, []))[1].append(line_id)
    for stored, line_ids in kept.values():
        OrderLine.objects.filter(pk__in=line_ids).update(booked_policy=stored)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0010_ledger_guards"),
        ("shop", "0004_alter_stockmovement_kind_stockreservation"),
    ]

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
        migrations.RunPython(keep_reproducible_policies, migrations.RunPython.noop),
        migrations.RunPython(restore_guards, lift_guards),
    ]
