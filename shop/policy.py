"""The revenue-split policy in force for a product (DESIGN.md §3).

Rates are basis points. The platform rate comes from the site unless the cooperative overrides
it; reserve and labour come from the cooperative unless the product overrides them. The host
rate belongs to live selling and is not decided here.
"""

from dataclasses import dataclass

from shop.models import Cooperative, ProductPage


@dataclass(frozen=True)
class SplitPolicy:
    platform_rate_bp: int
    reserve_rate_bp: int
    labour_per_unit_fen: int
    labour_rate_bp: int | None  # when set, labour is this rate of the line instead of per unit


def _first_set(*values: int | None) -> int | None:
    return next((value for value in values if value is not None), None)


def split_policy_for_product(*, product: ProductPage, site_platform_rate_bp: int) -> SplitPolicy:
    """The policy for a product's lines: product override, then cooperative, then site.

    A product that sets a labour rate uses it even when its cooperative pays per unit, and a
    product that sets labour per unit turns off the cooperative's labour rate: the product's
    own choice of labour model wins as a whole.
    """
    cooperative: Cooperative = product.cooperative
    platform = _first_set(product.platform_rate_bp, cooperative.platform_rate_bp, site_platform_rate_bp)
    reserve = _first_set(product.reserve_rate_bp, cooperative.reserve_rate_bp)
    if product.labour_rate_bp is not None:
        labour_rate, labour_per_unit = product.labour_rate_bp, 0
    elif product.labour_per_unit_fen is not None:
        labour_rate, labour_per_unit = None, product.labour_per_unit_fen
    else:
        labour_rate, labour_per_unit = cooperative.labour_rate_bp, cooperative.labour_per_unit_fen
    return SplitPolicy(
        platform_rate_bp=platform,
        reserve_rate_bp=reserve,
        labour_per_unit_fen=labour_per_unit if labour_rate is None else 0,
        labour_rate_bp=labour_rate,
    )
