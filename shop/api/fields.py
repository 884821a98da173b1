"""Money in the API: integer fen, with the site currency beside it."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shop.money import format_fen


@extend_schema_field({"type": "string", "nullable": True, "example": "¥12.30"})
class FenDisplayField(serializers.Field):
    """Read-only display string of an integer fen amount, e.g. 1230 → "¥12.30"."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: int | None) -> str | None:
        return None if value is None else format_fen(value)


@extend_schema_field({"type": "string", "example": "CNY", "description": "ISO 4217 currency code of every amount."})
class CurrencyField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return settings.CURRENCY
