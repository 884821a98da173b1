"""Forms of the buying pages: they parse and validate what a shopper sends, nothing more.

A form never carries a price: the cart and checkout services compute every amount from the
catalogue, so a tampered field has nothing to change.
"""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from orders.buying.accounts import identifier_kind
from orders.buying.cart import MAX_QUANTITY_PER_LINE
from orders.buying.checkout import Contact
from orders.models import Address, mobile_validator

NEW_ADDRESS = "new"
postal_code_validator = RegexValidator(r"^\d{6}$", _("A postal code has 6 digits."))


def _text(autocomplete: str, placeholder: str = "") -> forms.TextInput:
    attrs = {"autocomplete": autocomplete}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.TextInput(attrs=attrs)


def _mobile_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        label=kwargs.pop("label", _("Mobile")),
        max_length=11,
        validators=[mobile_validator],
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
        **kwargs,
    )


class CartAddForm(forms.Form):
    sku = forms.CharField(max_length=64)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY_PER_LINE, initial=1)
    # Accepted and ignored for now: live selling will attach the session's attribution, so a
    # stale or odd value must never stop the purchase.
    live_session_id = forms.CharField(required=False, max_length=20)


class CartLineForm(forms.Form):
    """A new quantity for a cart line; 0 removes it."""

    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY_PER_LINE)


class PayConfirmForm(forms.Form):
    """What the payment page posts: the card the browser made (a pm_, card_ or src_ id)."""

    payment_method_id = forms.RegexField(regex=r"^(pm|card|src)_\w+$", max_length=64)


class CheckoutForm(forms.Form):
    """Contact and, when the cart ships, a delivery address: a saved one or a new one."""

    mobile = _mobile_field(help_text=_("For delivery and order updates."))
    email = forms.EmailField(
        label=_("Email (optional)"), required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.ChoiceField(label=_("Deliver to"), required=False, widget=forms.RadioSelect)
    # Required only when the cart ships, and then only for a new address: see clean().
    recipient = forms.CharField(label=_("Recipient"), max_length=40, required=False, widget=_text("name"))
    province = forms.CharField(label=_("Province"), max_length=20, required=False, widget=_text("address-level1", "浙江省"))
    city = forms.CharField(label=_("City"), max_length=30, required=False, widget=_text("address-level2", "宁波市"))
    district = forms.CharField(label=_("District"), max_length=30, required=False, widget=_text("address-level3", "宁海县"))
    detail = forms.CharField(label=_("Street address"), max_length=120, required=False, widget=_text("street-address"))
    note = forms.CharField(label=_("Note to seller (optional)"), max_length=200, required=False)

    ADDRESS_FIELDS = ("recipient", "province", "city", "district", "detail")

    def __init__(self, *args, needs_address: bool, saved_addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_address = needs_address
        self.saved_addresses = {str(address.pk): address for address in saved_addresses}
        if self.saved_addresses and needs_address:
            self.fields["address"].choices = [(pk, str(address)) for pk, address in self.saved_addresses.items()] + [
                (NEW_ADDRESS, _("A new address"))
            ]
            self.fields["address"].initial = next(iter(self.saved_addresses))
        else:
            del self.fields["address"]
        if not needs_address:
            for name in self.ADDRESS_FIELDS:
                del self.fields[name]

    def uses_saved_address(self) -> bool:
        return self.needs_address and self.cleaned_data.get("address", "") in self.saved_addresses

    def clean(self):
        cleaned = super().clean()
        if self.needs_address and not self.uses_saved_address():
            for name in self.ADDRESS_FIELDS:
                if not cleaned.get(name, "").strip():
                    self.add_error(name, _("Fill this in."))
        return cleaned

    def contact(self) -> Contact:
        data = self.cleaned_data
        if not self.needs_address:
            return Contact(phone=data["mobile"], email=data["email"], note=data["note"])
        if self.uses_saved_address():
            saved = self.saved_addresses[data["address"]]
            place = dict(recipient=saved.recipient, province=saved.province, city=saved.city,
                         district=saved.district, address_detail=saved.detail)
        else:
            place = dict(recipient=data["recipient"].strip(), province=data["province"].strip(),
                         city=data["city"].strip(), district=data["district"].strip(),
                         address_detail=data["detail"].strip())
        return Contact(phone=data["mobile"], email=data["email"], note=data["note"], **place)


class SignupForm(forms.Form):
    identifier = forms.CharField(
        label=_("Email or mobile"), max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_identifier(self) -> str:
        identifier = self.cleaned_data["identifier"].strip()
        identifier_kind(identifier)  # raises ValidationError with a message that says what to enter
        return identifier

    def clean(self):
        cleaned = super().clean()
        password, again = cleaned.get("password"), cleaned.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", _("The two passwords differ; type the same one twice."))
        return cleaned


class LoginForm(AuthenticationForm):
    """Django's login form, asking for an email address or a mobile number."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email or mobile")
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.error_messages["invalid_login"] = _(
            "That email or mobile and password do not match. Check both and try again."
        )


class AddressForm(forms.ModelForm):
    mobile = _mobile_field()
    postal_code = forms.CharField(
        label=_("Postal code (optional)"), max_length=6, required=False, validators=[postal_code_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )

    class Meta:
        model = Address
        fields = ["recipient", "mobile", "province", "city", "district", "detail", "postal_code", "is_default"]
        widgets = {
            "recipient": _text("name"),
            "province": _text("address-level1", "浙江省"),
            "city": _text("address-level2", "宁波市"),
            "district": _text("address-level3", "宁海县"),
            "detail": _text("street-address"),
        }
