"""The product page's admin form (shop.models names it as the page's base form)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


class ProductPageForm(WagtailAdminPageForm):
    """Checks SKU codes across the page's variants and against every other product's.

    The database refuses a duplicate SKU too, but only at publish time and with an error no
    editor can act on; here the editor is told which code clashes and with what.
    """

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("variants")
        if formset is None:
            return cleaned
        seen: dict[str, forms.Form] = {}
        for form in formset.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            sku = (form.cleaned_data.get("sku") or "").strip().upper()
            if not sku:
                continue
            form.cleaned_data["sku"] = sku
            form.instance.sku = sku
            if sku in seen:
                form.add_error("sku", _("SKU %(sku)s is used twice on this page.") % {"sku": sku})
                continue
            seen[sku] = form
        if seen:
            # The variants' model comes from their formset: shop.models imports this module.
            clashes = formset.model.objects.filter(sku__in=seen).exclude(page_id=self.instance.pk).select_related("page")
            for variant in clashes:
                seen[variant.sku].add_error(
                    "sku",
                    _("SKU %(sku)s already belongs to “%(product)s”; choose another code.")
                    % {"sku": variant.sku, "product": variant.page.title},
                )
        return cleaned
