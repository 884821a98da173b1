"""The facets shoppers narrow results by, and the labels shown for values the index stores bare."""

from django.utils.translation import gettext_lazy as _

# In the order the search page shows them.
FACET_NAMES = ("category", "township", "village", "cooperative", "price_band", "in_stock", "live_now")
BOOLEAN_FACETS = ("in_stock", "live_now")

# (value, lowest fen included, highest fen excluded or None, label); by a product's lowest price.
PRICE_BANDS = (
    ("under-50", 0, 5_000, _("Under ¥50")),
    ("50-100", 5_000, 10_000, _("¥50–100")),
    ("100-200", 10_000, 20_000, _("¥100–200")),
    ("200-up", 20_000, None, _("¥200 and up")),
)

_BOOLEAN_LABELS = {
    "in_stock": {"true": _("In stock"), "false": _("Sold out")},
    "live_now": {"true": _("Live now"), "false": _("Not live")},
}


def price_band(price_min_fen: int | None) -> str | None:
    if price_min_fen is None:
        return None
    for value, low, high, _label in PRICE_BANDS:
        if price_min_fen >= low and (high is None or price_min_fen < high):
            return value
    return None


def facet_label(name: str, value: str, stored_label: str = "") -> str:
    """The label to show: translated for bands and yes/no facets, else what the index stored."""
    if name == "price_band":
        return str(next((label for band, _low, _high, label in PRICE_BANDS if band == value), value))
    if name in _BOOLEAN_LABELS:
        return str(_BOOLEAN_LABELS[name].get(value, value))
    return stored_label or value


def facet_sort_key(name: str, value: str, count: int) -> tuple:
    """Bands in price order, yes before no, the rest by count then value."""
    if name == "price_band":
        return (next((i for i, band in enumerate(PRICE_BANDS) if band[0] == value), 99),)
    if name in _BOOLEAN_LABELS:
        return (value != "true",)
    return (-count, value)
