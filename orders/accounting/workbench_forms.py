"""Forms of the accountants' workbench: each collects what one service of orders/ needs."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.accounting.statements import Recipient
from orders.accounting.workbench_selectors import recipient_from_key, recipient_key
from shop.forms import YuanField
from shop.money import format_fen, yuan_to_fen


class CloseConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the figures and the distribution above; close the month for good."),
        required=True,
    )


class PayoutForm(forms.Form):
    """A bank transfer to one of the cooperative's recipients (orders.accounting.statements.payout_record)."""

    recipient = forms.ChoiceField(label=_("Paid to"))
    amount = YuanField(label=_("Amount (yuan)"), help_text=_("For example 1234.50; at most two decimals."))
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=64)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, recipients: list[tuple[Recipient, str, int]], **kwargs):
        """`recipients`: (recipient, name, what can be paid out now in fen), as
        orders.accounting.workbench_selectors.payout_recipients gives."""
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [("", "---------")] + [
            (recipient_key(r), _("%(name)s (can be paid %(available)s)") % {"name": name, "available": format_fen(available)})
            for r, name, available in recipients
        ]
        self.fields["paid_on"].initial = timezone.localdate

    def clean_paid_on(self) -> datetime.date:
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("A payout is recorded once the transfer is made; the date cannot be in the future."))
        return paid_on

    def payout_kwargs(self) -> dict:
        """The keyword arguments of payout_record this form collected (besides cooperative and actor)."""
        data = self.cleaned_data
        return {
            "recipient": recipient_from_key(data["recipient"]),
            "amount_fen": yuan_to_fen(data["amount"]),
            "bank_reference": data["bank_reference"],
            "paid_on": data["paid_on"],
        }
