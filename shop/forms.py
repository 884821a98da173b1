"""Stock forms of the admin, and the form field every amount in yuan is typed into."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.models import ProductVariant, StockMovementKind, sku_validator
from shop.money import yuan_text_clean


class YuanField(forms.DecimalField):
    """An amount in yuan with at most two decimals, read as a Decimal (never a float); turn it
    into fen with shop.money.yuan_to_fen.

    Staff often paste amounts as shown on the page ("¥1,234.50"), so the currency sign,
    thousands separators and spaces are dropped before parsing.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = yuan_text_clean(value)
        return super().to_python(value)


class StockChangeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[(StockMovementKind.RECEIVE, _("Received goods")), (StockMovementKind.ADJUST, _("Correction (stocktake, damage, loss)"))],
    )
    quantity = forms.IntegerField(
        label=_("Units"),
        help_text=_("For a correction, a negative number removes units."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        kind, quantity = cleaned.get("kind"), cleaned.get("quantity")
        if kind == StockMovementKind.RECEIVE and quantity is not None and quantity <= 0:
            self.add_error("quantity", _("Received quantity must be at least 1."))
        if kind == StockMovementKind.ADJUST:
            if quantity == 0:
                self.add_error("quantity", _("An adjustment must change the level."))
            if not (cleaned.get("reason") or "").strip():
                self.add_error("reason", _("Give a reason for the adjustment (for example: stocktake, damaged)."))
        return cleaned


class SkuFormField(forms.CharField):
    def to_python(self, value):
        return super().to_python(value).upper()


class StockReceiveForm(StockChangeForm):
    sku = SkuFormField(label=_("SKU"), max_length=64, validators=[sku_validator])
    field_order = ["sku", "kind", "quantity", "reason"]

    def clean_sku(self) -> str:
        sku = self.cleaned_data["sku"]
        if not ProductVariant.objects.filter(sku=sku).exists():
            raise forms.ValidationError(_("No product variant has SKU %(sku)s.") % {"sku": sku})
        return sku
