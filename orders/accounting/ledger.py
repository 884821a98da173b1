"""The revenue split of DESIGN.md §3, exact to the fen.

Pure functions, no database: a paid line's amount is split among the platform, the live host,
the workshop's labour pool and the cooperative's pool (step 1); the pool among the reserve and
the shareholder villages (step 2). Every step is a largest-remainder split: floor each exact
rational share, then give the leftover fen one by one to the largest remainders, ties going to
the part listed first. So each step sums exactly to its input, each part is within one fen of
its exact share, and the same input always gives the same output.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from shop.money import split_largest_remainder

BP = 10_000  # basis points in a whole

PLATFORM = "platform"
HOST = "host"
LABOUR = "labour"
RESERVE = "reserve"
VILLAGE_PREFIX = "village:"


def village_key(village_id: int) -> str:
    return f"{VILLAGE_PREFIX}{village_id}"




@dataclass(frozen=True)
class LinePolicy:
    """What decides a line's split. Rates in basis points; labour per unit in fen.

    host_rate_bp is 0 for a line not attributed to a live session. labour_rate_bp, when set,
    replaces the per-unit labour amount. shares maps village id to its integer shares.
    """

    platform_rate_bp: int
    reserve_rate_bp: int
    labour_per_unit_fen: int = 0
    labour_rate_bp: int | None = None
    host_rate_bp: int = 0
    shares: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("platform_rate_bp", "reserve_rate_bp", "host_rate_bp"):
            if not 0 <= getattr(self, name) <= BP:
                raise ValueError(f"{name} must be between 0 and {BP} basis points.")
        if self.labour_rate_bp is not None and not 0 <= self.labour_rate_bp <= BP:
            raise ValueError(f"labour_rate_bp must be between 0 and {BP} basis points.")
        if self.labour_per_unit_fen < 0:
            raise ValueError("labour_per_unit_fen must not be negative.")
        if self.platform_rate_bp + self.host_rate_bp > BP:
            raise ValueError("Platform and host rates together exceed 100%; the pool would be negative.")
        if any(shares < 1 for shares in self.shares.values()):
            raise ValueError("Every shareholding needs at least one share.")


def split_line(*, amount_fen: int, quantity: int, policy: LinePolicy) -> dict[str, int]:
    """Split a paid line's amount (after discounts, without shipping) into final allocations.

    Returns amounts keyed "platform", "host", "labour", "reserve" and "village:<id>" (villages
    in id order); they sum exactly to amount_fen, and none is negative.
    """
    if amount_fen < 0 or quantity < 0:
        raise ValueError("A line's amount and quantity must not be negative.")
    # Step 1 in units of 1/BP fen, so every exact share is an integer numerator.
    whole = amount_fen * BP
    platform = amount_fen * policy.platform_rate_bp
    host = amount_fen * policy.host_rate_bp
    room = whole - platform - host
    if policy.labour_rate_bp is not None:
        labour = min(amount_fen * policy.labour_rate_bp, room)
    else:
        labour = min(policy.labour_per_unit_fen * quantity * BP, room)
    pool = room - labour
    weights = {PLATFORM: platform, HOST: host, LABOUR: labour, "pool": pool}
    step1 = split_largest_remainder(amount_fen, weights) if amount_fen else dict.fromkeys(weights, 0)
    pool_fen = step1.pop("pool")
    return step1 | split_pool(pool_fen=pool_fen, reserve_rate_bp=policy.reserve_rate_bp, shares=policy.shares)


def split_pool(*, pool_fen: int, reserve_rate_bp: int, shares: Mapping[int, int]) -> dict[str, int]:
    """Step 2: the cooperative's pool into its reserve and its villages by shares.

    With no shareholders the whole pool stays in the reserve.
    """
    total_shares = sum(shares.values())
    if total_shares == 0:
        return {RESERVE: pool_fen}
    weights = {RESERVE: reserve_rate_bp * total_shares}
    for village_id in sorted(shares):
        weights[village_key(village_id)] = (BP - reserve_rate_bp) * shares[village_id]
    return split_largest_remainder(pool_fen, weights)


def reversal_step(*, held: Mapping[str, int], refund_fen: int) -> dict[str, int]:
    """The (negative) reversal entries of refunding refund_fen of a line.

    `held` is what each recipient still holds of the line (its earnings less what earlier
    refunds reversed), keys in the order of DESIGN.md §3 (platform, host, labour, reserve,
    villages by id). refund_fen is split over those holdings by largest remainder, ties to the
    key listed first. Guarantees: each entry lies between −held and 0, the entries sum exactly
    to −refund_fen, and refunding everything still held reverses every holding exactly.
    Raises ValueError for a negative holding or a refund outside 0..Σ held.
    """
    if any(amount < 0 for amount in held.values()):
        raise ValueError("A recipient cannot hold a negative part of a line.")
    if not 0 <= refund_fen <= sum(held.values()):
        raise ValueError("A refund must be positive and at most what the line still holds.")
    if refund_fen == 0:
        return dict.fromkeys(held, 0)
    # A floor is at most the holding, and a part gets a leftover fen only when its exact
    # share has a fraction, so no part ever exceeds what its recipient holds.
    return {key: -amount for key, amount in split_largest_remainder(refund_fen, held).items()}
