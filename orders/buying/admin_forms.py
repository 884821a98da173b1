"""Forms of the order screens in the Wagtail admin: each collects what one service needs."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shop.forms import YuanField
from shop.money import format_fen, yuan_to_fen


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=40, help_text=_("e.g. 顺丰速运, 中通快递, 京东物流"))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)


class DeliverForm(forms.Form):
    """No fields: marking delivered needs only the staff member's say-so."""


class CancelForm(forms.Form):
    """No fields: only orders still awaiting payment can be cancelled, which releases their stock."""


class RefundForm(forms.Form):
    """A full refund, or a partial one of an amount in yuan; cleaned_data["amount_fen"] is an int."""

    full = forms.BooleanField(label=_("Refund everything still refundable"), required=False)
    amount = YuanField(
        label=_("Amount (yuan)"), required=False,
        help_text=_("For a partial refund, e.g. 12.50. Leave empty for a full refund."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, refundable_fen: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.refundable_fen = refundable_fen
        self.fields["full"].help_text = _("Still refundable: %(amount)s") % {"amount": format_fen(refundable_fen)}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        amount = cleaned.get("amount")
        if cleaned.get("full"):
            if amount is not None and yuan_to_fen(amount) != self.refundable_fen:
                raise ValidationError(
                    _("Either tick “full refund” or give an amount, not both."), code="ambiguous"
                )
            cleaned["amount_fen"] = self.refundable_fen
        elif amount is None:
            raise ValidationError(_("Give the amount to refund, or tick “full refund”."), code="required")
        else:
            cleaned["amount_fen"] = yuan_to_fen(amount)
        return cleaned
