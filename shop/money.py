"""Money and rates for people: integer fen and basis points in, text out, and back.

Arithmetic on money stays in integers elsewhere; nothing here goes through a float. The same
display of fen is in shop/static/shop/money.js for the pages that redraw amounts themselves.
"""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

BASIS_POINTS_PER_PERCENT = 100
CURRENCY_SIGNS = "¥￥"


def format_fen(amount_fen: int, symbol: str = "¥", *, whole: bool = False) -> str:
    """1230 → "¥12.30"; -5 → "-¥0.05"; thousands separated: 1234500 → "¥12,345.00".
    With whole=True (a chart's axis) the fen are dropped: 2500050 → "¥25,000"."""
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(int(amount_fen)), 100)
    return f"{sign}{symbol}{yuan:,}" if whole else f"{sign}{symbol}{yuan:,}.{fen:02d}"


def plain_yuan(amount_fen: int) -> str:
    """3326 → "33.26", -5 → "-0.05", 123456 → "1234.56": no symbol, no separators (for CSV)."""
    return format_fen(amount_fen, symbol="").replace(",", "")


def format_rate(rate_bp: int) -> str:
    """Basis points as a percentage without trailing zeros: 800 → "8%", 550 → "5.5%",
    1234 → "12.34%", 0 → "0%", -25 → "-0.25%"."""
    sign = "-" if rate_bp < 0 else ""
    whole, hundredths = divmod(abs(int(rate_bp)), BASIS_POINTS_PER_PERCENT)
    decimals = f"{hundredths:02d}".rstrip("0")
    return f"{sign}{whole}.{decimals}%" if decimals else f"{sign}{whole}%"


def percent_bp(percent: float) -> int:
    """A percentage computed elsewhere (12.5) in basis points (1250), rounded half away from
    zero, so that format_rate can show it."""
    scaled = Decimal(str(percent)) * BASIS_POINTS_PER_PERCENT
    return int(scaled.to_integral_value(rounding="ROUND_HALF_UP"))


def share_bp(part: int, whole: int) -> int:
    """part / whole in basis points, rounded half up (away from zero); 0 when whole is 0."""
    if not whole:
        return 0
    numerator = abs(part) * 10_000 * 2 + abs(whole)
    rounded = numerator // (2 * abs(whole))
    return rounded if (part < 0) == (whole < 0) else -rounded


def yuan_text_clean(text: str) -> str:
    """"¥1,234.50 " → "1234.50": the sign, thousands separators (also full-width) and spaces
    that staff paste along with an amount copied from a page."""
    return text.strip().lstrip(CURRENCY_SIGNS).replace(",", "").replace("，", "").strip()


def yuan_to_fen(amount: Decimal | str) -> int:
    """Decimal("12.30") or "¥1,234.50" → fen, exactly. Raises ValueError for text that is not
    an amount and for fractions of a fen."""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(yuan_text_clean(amount))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise ValueError(f"“{amount}” is not an amount in yuan; write it like 12.50.")
    fen = value.scaleb(2)
    if fen != fen.to_integral_value():
        raise ValueError("An amount in yuan has at most two decimals.")
    return int(fen)


def split_largest_remainder(total_fen: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split total_fen in proportion to non-negative integer weights; parts sum to total_fen.

    Leftover fen go to the largest remainders; ties to the key listed first in `weights`.
    A negative total is split as its absolute value and negated, so reversals mirror the
    original exactly. All-zero weights are refused (there is nothing to split by).
    """
    if any(weight < 0 for weight in weights.values()):
        raise ValueError("Weights must not be negative.")
    weight_sum = sum(weights.values())
    if weight_sum == 0:
        if total_fen == 0:
            return {key: 0 for key in weights}
        raise ValueError("Cannot split a non-zero amount by weights that are all zero.")
    sign, magnitude = (-1, -total_fen) if total_fen < 0 else (1, total_fen)
    order = {key: index for index, key in enumerate(weights)}
    floors = {key: magnitude * weight // weight_sum for key, weight in weights.items()}
    leftover = magnitude - sum(floors.values())
    by_remainder = sorted(weights, key=lambda key: (-(magnitude * weights[key] % weight_sum), order[key]))
    for key in by_remainder[:leftover]:
        floors[key] += 1
    return {key: sign * amount for key, amount in floors.items()}
