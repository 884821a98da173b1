"""Orders in the Wagtail admin: a searchable, filterable listing and one page per order.

Orders are created by checkout only and kept for the books, so the admin never adds, copies
or deletes one; the viewset's edit URL is the order's page, whose forms call the services.
"""

import django_filters
from django import forms
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from orders.buying import admin_views
from orders.models import Order, OrderStatus, ShippingMethod
from shop.money import format_fen


def mask_phone(phone: str) -> str:
    """13800138000 → 138****8000: enough to tell buyers apart in a list, not to call them."""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


class OrderPermissionPolicy(ModelPermissionPolicy):
    """Nobody adds or deletes an order in the admin: checkout creates them, the books keep them."""

    def user_has_permission(self, user, action):
        return action not in {"add", "delete"} and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Order, OrderPermissionPolicy(Order))


class OrderFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=OrderStatus.choices, empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    placed_at = django_filters.DateFromToRangeFilter(
        label=_("Placed"), field_name="placed_at", widget=DateRangePickerWidget,
    )
    shipping_method = django_filters.ChoiceFilter(
        label=_("Delivery"), choices=ShippingMethod.choices, empty_label=_("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Order
        fields = ["status", "placed_at", "shipping_method"]


class OrderViewSet(ModelViewSet):
    model = Order
    icon = "list-ul"
    menu_label = _("Orders")
    menu_order = 205
    add_to_admin_menu = True
    name = "orders_order"  # "orders" is the storefront's URL namespace
    url_prefix = "orders"
    index_view_class = admin_views.OrderIndexView
    list_display = [
        "number",
        DateColumn("placed_at", label=_("Placed"), sort_key="placed_at"),
        "status",
        Column("total_fen", label=_("Total"), accessor=lambda order: format_fen(order.total_fen), sort_key="total_fen"),
        Column("phone", label=_("Buyer phone"), accessor=lambda order: mask_phone(order.phone)),
        Column(
            "refunded_fen", label=_("Refunded"),
            accessor=lambda order: format_fen(order.refunded_fen) if order.refunded_fen else "—",
            sort_key="refunded_fen",
        ),
    ]
    filterset_class = OrderFilterSet
    search_fields = ["number", "phone", "recipient"]
    form_fields: list[str] = []
    copy_view_enabled = False
    list_per_page = 50

    @property
    def edit_view(self):
        return admin_views.OrderDetailView.as_view()

    def get_permissions_to_register(self):
        """View and change only: add and delete are never granted (see OrderPermissionPolicy)."""
        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Order), codename__in=["view_order", "change_order"]
        )


order_viewset = OrderViewSet()


@hooks.register("register_admin_viewset")
def register_order_viewset():
    return order_viewset


