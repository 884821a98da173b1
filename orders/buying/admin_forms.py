"""Forms of the order screens in the Wagtail admin: each collects what one service needs."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from orders.buying.refunds import LineRefund, Refundable
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
    """A refund by line: for each line a number of units or an amount in yuan, and any part of
    the delivery fee; or the "refund everything" shortcut.

    cleaned_data["lines"] is a list of LineRefund and cleaned_data["delivery_fee_fen"] an int;
    the service checks them again under the order's lock.
    """

    everything = forms.BooleanField(label=_("Refund everything still refundable"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, refundable: Refundable, **kwargs):
        super().__init__(*args, **kwargs)
        self.refundable = refundable
        self.fields["everything"].help_text = _("Still refundable: %(amount)s") % {"amount": format_fen(refundable.total_fen)}
        for remaining in refundable.lines:
            line = remaining.line
            left = {"units": remaining.quantity, "amount": format_fen(remaining.amount_fen)}
            self.fields[f"line_{line.pk}_quantity"] = forms.IntegerField(
                label=_("%(product)s %(variant)s: units") % {"product": line.product_title, "variant": line.variant_label},
                required=False, min_value=1, max_value=max(remaining.quantity, 1),
                help_text=_("%(units)s unit(s), %(amount)s still refundable") % left,
                disabled=remaining.amount_fen == 0,
            )
            self.fields[f"line_{line.pk}_amount"] = YuanField(
                label=_("%(product)s %(variant)s: or an amount (yuan)") % {"product": line.product_title, "variant": line.variant_label},
                required=False, disabled=remaining.amount_fen == 0,
            )
        self.fields["delivery_fee"] = YuanField(
            label=_("Delivery fee (yuan)"), required=False, disabled=refundable.delivery_fee_fen == 0,
            help_text=_("%(amount)s still refundable") % {"amount": format_fen(refundable.delivery_fee_fen)},
        )
        self.order_fields(["everything", *[name for name in self.fields if name.startswith("line_")], "delivery_fee", "reason"])

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        lines = []
        for remaining in self.refundable.lines:
            quantity = cleaned.get(f"line_{remaining.line.pk}_quantity")
            amount = cleaned.get(f"line_{remaining.line.pk}_amount")
            if quantity is not None and amount is not None:
                self.add_error(f"line_{remaining.line.pk}_amount", _("Give units or an amount for this line, not both."))
            elif quantity is not None:
                lines.append(LineRefund(line_id=remaining.line.pk, quantity=quantity))
            elif amount is not None:
                lines.append(LineRefund(line_id=remaining.line.pk, amount_fen=yuan_to_fen(amount)))
        fee = cleaned.get("delivery_fee")
        delivery_fee_fen = yuan_to_fen(fee) if fee is not None else 0
        if cleaned.get("everything"):
            if lines or delivery_fee_fen:
                raise ValidationError(_("Either tick “refund everything” or name lines, not both."), code="ambiguous")
            lines, delivery_fee_fen = self.refundable.everything(), self.refundable.delivery_fee_fen
        elif not lines and not delivery_fee_fen:
            raise ValidationError(_("Give units or an amount for at least one line, or tick “refund everything”."), code="required")
        cleaned["lines"], cleaned["delivery_fee_fen"] = lines, delivery_fee_fen
        return cleaned


class RefundRetryForm(forms.Form):
    """Send a refund still requested again (Stripe was down or its answer was lost); the
    refund keeps its idempotency key, so Stripe never refunds it twice."""

    refund = forms.IntegerField(widget=forms.HiddenInput)
