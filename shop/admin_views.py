"""Stock screens of the Wagtail admin: staff see levels and history and record changes.

Levels are never edited as numbers: every form here calls shop.inventory, which appends a
movement to the SKU's history.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from shop import inventory
from shop.forms import StockChangeForm, StockReceiveForm
from shop.models import ProductVariant, StockMovementKind, StockRecord

STOCK_PERMISSION = "shop.change_stockrecord"


class _StockFormView(WagtailAdminTemplateMixin, FormView):
    template_name = "shop/admin/stock_form.html"
    header_icon = "clipboard-list"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(STOCK_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("shop_stock:index"), "label": _("Stock")},
            {"url": "", "label": self.get_page_title()},
        ]

    def apply(self, *, sku: str, form) -> None:
        data = form.cleaned_data
        if data["kind"] == StockMovementKind.RECEIVE:
            inventory.stock_receive(sku=sku, quantity=data["quantity"], reason=data["reason"], actor=self.request.user)
        else:
            inventory.stock_adjust(sku=sku, delta=data["quantity"], reason=data["reason"], actor=self.request.user)

    def form_valid_for(self, sku: str, form):
        try:
            self.apply(sku=sku, form=form)
        except inventory.InventoryError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, _("Stock of %(sku)s updated.") % {"sku": sku})
        return redirect("shop_stock:edit", pk=StockRecord.objects.get(sku=sku).pk)


class StockRecordView(_StockFormView):
    """One SKU: its level, a change form and the full movement history."""

    form_class = StockChangeForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.record = get_object_or_404(StockRecord, pk=kwargs["pk"])

    def get_page_title(self):
        return _("Stock of %(sku)s") % {"sku": self.record.sku}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["record"] = self.record
        context["variant"] = ProductVariant.objects.select_related("page").filter(sku=self.record.sku).first()
        context["movements"] = self.record.movements.select_related("actor")[:200]
        return context

    def form_valid(self, form):
        return self.form_valid_for(self.record.sku, form)


class StockReceiveView(_StockFormView):
    """Record goods received (or a correction) for any SKU, including one with no stock yet."""

    form_class = StockReceiveForm
    page_title = _("Record stock")

    def get_initial(self):
        return {"sku": self.request.GET.get("sku", ""), "kind": StockMovementKind.RECEIVE}

    def form_valid(self, form):
        return self.form_valid_for(form.cleaned_data["sku"], form)
