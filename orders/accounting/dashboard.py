"""Selectors of the public common-prosperity dashboard (共富看板): aggregates only, never a person.

What the figures mean (DESIGN.md §1, §3, §4):

- **Year and month.** A year is twelve Asia/Shanghai months. An allocation or a labour
  distribution counts in the month of its settlement period, which is the Asia/Shanghai month
  it was booked in (so an entry booked at 2026-12-31 16:30 UTC, 2027-01-01 00:30 in Ningbo,
  belongs to 2027), or the next open month when that one was already in review or closed. So a
  month's published figures never change once its periods are closed, and they agree with the
  accountants' statements.
- **Village income.** Σ of the village's allocations in the year across every cooperative it
  holds shares in, earnings and reversals together (net of refunds), against
  ``Village.income_target_fen``.
- **Alliance revenue (赛马).** Σ village income of the alliance's villages: what the alliance's
  villages collectively earned, the figure the ranking is meant to compare. (Not the gross line
  amounts of its cooperatives: a cooperative's alliance is optional and gross sales include the
  platform's fee, the reserve and labour.) Growth compares it with the year before.
- **Low-income earners.** Participants flagged low-income with labour distributions summing to
  more than zero in the year (distributions are booked when a period closes), the median of
  those per-person yearly sums, and their total.
- **Privacy.** Nothing here names or identifies a participant. A figure about participants'
  income is shown only when at least ``MIN_GROUP_SIZE`` people are behind it; otherwise it is
  suppressed (None), since one or two people's income could be read back from it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Min, Sum

from orders.accounting.months import MIN_YEAR, current_year, months_of_year, now_local
from orders.models import Allocation, LabourDistribution, RecipientType, SettlementPeriod
from shop.models import Alliance, Village

MIN_GROUP_SIZE = 3


def year_parse(value: str | None) -> int | None:
    """The year a query parameter asks for, or None when it is missing or not a valid year.

    Valid: an integer from MIN_YEAR to the current Asia/Shanghai year. Never raises.
    """
    try:
        year = int((value or "").strip())
    except ValueError:
        return None
    return year if MIN_YEAR <= year <= current_year() else None


def months_elapsed(year: int) -> int:
    """How many months of the year have begun (Asia/Shanghai): 12 for a past year, 0 for a future one."""
    now = now_local()
    return 12 if year < now.year else now.month if year == now.year else 0


def percent(part: int, whole: int) -> float | None:
    """part / whole as a percentage with one decimal, rounded half up; None when whole is not positive."""
    if whole <= 0:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def median_fen(values: list[int]) -> int | None:
    """The median of integer fen amounts, as integer fen; None for no values.

    For an even count it is the mean of the two middle values, rounded half up (toward +∞
    at exactly half a fen): 100 and 201 give 151. Exact, on integers only.
    """
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle] + 1) // 2


@dataclass(frozen=True)
class VillageIncome:
    id: int
    name: str
    township: str
    alliance_id: int
    alliance_name: str
    income_fen: int
    target_fen: int

    @property
    def percent_of_target(self) -> float | None:
        """One decimal, half up; None when the village has no target (0)."""
        return percent(self.income_fen, self.target_fen)

    @property
    def reached_target(self) -> bool:
        return self.target_fen > 0 and self.income_fen >= self.target_fen


@dataclass(frozen=True)
class LowIncomeEarners:
    """Low-income participants who earned in the year. Figures about their income are None
    (suppressed) when fewer than MIN_GROUP_SIZE people are behind them."""

    earners: int
    median_income_fen: int | None
    total_fen: int | None

    @property
    def suppressed(self) -> bool:
        return 0 < self.earners < MIN_GROUP_SIZE


@dataclass(frozen=True)
class AllianceRevenue:
    id: int
    name: str
    revenue_fen: int
    last_year_fen: int
    rank: int
    monthly_fen: list[int]  # January to December of the year
    villages: list[VillageIncome] = field(default_factory=list)

    @property
    def growth_percent(self) -> float | None:
        """Change against last year in percent (one decimal, half up); None when last year's
        revenue is zero, or negative (refunds outweighed earnings): there is no base to grow from."""
        return percent(self.revenue_fen - self.last_year_fen, self.last_year_fen)


@dataclass(frozen=True)
class Dashboard:
    year: int
    months: list[datetime.date]
    villages: list[VillageIncome]  # grouped by alliance (by name), then township and name
    alliances: list[AllianceRevenue]  # by revenue, highest first; each with its villages
    low_income: LowIncomeEarners

    @property
    def village_income_fen(self) -> int:
        return sum(v.income_fen for v in self.villages)

    @property
    def villages_at_target(self) -> int:
        return sum(v.reached_target for v in self.villages)

    @property
    def alliances_by_name(self) -> list[AllianceRevenue]:
        return sorted(self.alliances, key=lambda a: (a.name, a.id))


def _ranks(revenues: list[int]) -> list[int]:
    """Competition ranks ("1224") of revenues already sorted from highest."""
    ranks: list[int] = []
    for position, revenue in enumerate(revenues, start=1):
        ranks.append(ranks[-1] if ranks and revenues[position - 2] == revenue else position)
    return ranks


def _low_income_earners(*, year: int) -> LowIncomeEarners:
    # Only per-person sums leave the database, never who they belong to.
    sums = list(
        LabourDistribution.objects.filter(
            participant__is_low_income=True, period__month__gte=datetime.date(year, 1, 1),
            period__month__lte=datetime.date(year, 12, 1),
        )
        .values("participant_id").order_by()
        .annotate(total=Sum("amount_fen"))
        .filter(total__gt=0)
        .values_list("total", flat=True)
    )
    if len(sums) < MIN_GROUP_SIZE:
        return LowIncomeEarners(earners=len(sums), median_income_fen=None, total_fen=0 if not sums else None)
    return LowIncomeEarners(earners=len(sums), median_income_fen=median_fen(sums), total_fen=sum(sums))


def dashboard_for_year(*, year: int) -> Dashboard:
    """Every figure of the dashboard for one year, in four aggregate queries whatever the
    number of villages, alliances or sales. Reads only; raises nothing for a year without data.
    """
    months = months_of_year(year)
    alliances = list(Alliance.objects.order_by("name", "pk").values_list("pk", "name"))
    villages = list(
        Village.objects.order_by("alliance__name", "alliance_id", "township", "name", "pk")
        .values_list("pk", "name", "township", "alliance_id", "income_target_fen")
    )
    # Net village income per village and month, this year and last (for growth) in one go.
    income: dict[int, dict[datetime.date, int]] = defaultdict(dict)
    for village_id, month, total in (
        Allocation.objects.filter(
            recipient_type=RecipientType.VILLAGE, period__month__gte=datetime.date(year - 1, 1, 1),
            period__month__lte=datetime.date(year, 12, 1),
        )
        .values_list("village_id", "period__month").order_by()
        .annotate(total=Sum("amount_fen"))
    ):
        income[village_id][month] = total

    alliance_names = dict(alliances)
    village_rows = [
        VillageIncome(
            id=pk, name=name, township=township, alliance_id=alliance_id, alliance_name=alliance_names[alliance_id],
            income_fen=sum(amount for month, amount in income[pk].items() if month.year == year), target_fen=target,
        )
        for pk, name, township, alliance_id, target in villages
    ]
    members: dict[int, list[VillageIncome]] = defaultdict(list)
    monthly: dict[int, list[int]] = {pk: [0] * 12 for pk, _name in alliances}
    last_year: dict[int, int] = defaultdict(int)
    for village in village_rows:
        members[village.alliance_id].append(village)
        for month, amount in income[village.id].items():
            if month.year == year:
                monthly[village.alliance_id][month.month - 1] += amount
            else:
                last_year[village.alliance_id] += amount

    ordered = sorted(alliances, key=lambda a: (-sum(monthly[a[0]]), a[1], a[0]))
    ranks = _ranks([sum(monthly[pk]) for pk, _name in ordered])
    ranking = [
        AllianceRevenue(
            id=pk, name=name, revenue_fen=sum(monthly[pk]), last_year_fen=last_year[pk], rank=rank,
            monthly_fen=monthly[pk], villages=members[pk],
        )
        for (pk, name), rank in zip(ordered, ranks, strict=True)
    ]
    return Dashboard(
        year=year, months=months, villages=village_rows, alliances=ranking, low_income=_low_income_earners(year=year),
    )


def dashboard_years() -> list[int]:
    """The years a reader can pick, newest first: from the first month with a settlement
    period (the current year alone when there is none) to the current year. One query."""
    this_year = current_year()
    first = SettlementPeriod.objects.aggregate(first=Min("month"))["first"]
    start = max(MIN_YEAR, min(first.year if first else this_year, this_year))
    return list(range(this_year, start - 1, -1))
