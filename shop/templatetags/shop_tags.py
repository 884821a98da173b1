from django import template

from shop.money import format_fen

register = template.Library()


@register.filter
def fen(amount_fen: int | None) -> str:
    """{{ 1230|fen }} → ¥12.30; empty for None."""
    return "" if amount_fen is None else format_fen(amount_fen)


@register.filter
def percent_of(part: int, whole: int) -> str:
    """Share of a whole as a percentage with one decimal, e.g. 1/3 → 33.3%."""
    if not whole:
        return "0%"
    return f"{part * 100 / whole:.1f}%"
