"""Template filters for money and rates: thin wrappers over shop.money."""

from django import template

from shop.money import format_fen, format_rate, percent_bp, share_bp

register = template.Library()


@register.filter
def fen(amount_fen: int | None) -> str:
    """{{ 1230|fen }} → ¥12.30; empty for None."""
    return "" if amount_fen is None else format_fen(amount_fen)


@register.filter
def rate(rate_bp: int | None) -> str:
    """{{ 550|rate }} → 5.5%; empty for None."""
    return "" if rate_bp is None else format_rate(rate_bp)


@register.filter
def percent(value: float | None) -> str:
    """{{ 12.5|percent }} → 12.5%: a percentage computed as a number, shown like every rate;
    empty for None."""
    return "" if value is None else format_rate(percent_bp(value))


@register.filter
def percent_of(part: int, whole: int) -> str:
    """Share of a whole as a percentage, to the basis point, e.g. 1/3 → 33.33%; 0% of nothing."""
    return format_rate(share_bp(part, whole))
