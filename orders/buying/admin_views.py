"""Order screens of the Wagtail admin: the listing and one order's page with its actions.

Each action form calls one service of orders/ (ship, mark delivered, refund, cancel); the
service checks the order's state under a row lock and either does everything or nothing, so
this module only parses forms, shows what a service refused and redirects on success.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from orders.buying import expiry, fulfilment, refunds
from orders.buying.admin_forms import CancelForm, DeliverForm, RefundForm, RefundRetryForm, ShipForm
from orders.buying.selectors import orders_visible_to
from orders.buying.status import OrderStateError
from orders.buying.stripe_gateway import PaymentGatewayError
from orders.models import Order, OrderStatus

VIEW_PERMISSION = "orders.view_order"
CHANGE_PERMISSION = "orders.change_order"
INDEX_URL_NAME = "orders_order:index"
DETAIL_URL_NAME = "orders_order:edit"

# Which action forms the page offers in which status. Display only: the services decide.
ACTIONS_BY_STATUS = {
    OrderStatus.PENDING_PAYMENT: ["cancel"],
    OrderStatus.PAID: ["ship", "refund"],
    OrderStatus.SHIPPED: ["deliver", "refund"],
    OrderStatus.DELIVERED: ["refund"],
    # The status no longer says whether the parcel left; the shipments do.
    OrderStatus.PARTIALLY_REFUNDED: ["ship", "refund"],
}


def offered_actions(order: Order) -> list[str]:
    actions = ACTIONS_BY_STATUS.get(order.status, [])
    if order.status == OrderStatus.PARTIALLY_REFUNDED and order.shipments.exists():
        actions = [action for action in actions if action != "ship"]
    return actions

# What a service may refuse with; its message is shown on the page and nothing has changed.
REFUSALS = (OrderStateError, refunds.RefundError, ValueError, PaymentGatewayError)


def user_can_view_orders(user) -> bool:
    return user.has_perm(VIEW_PERMISSION) or user.has_perm(CHANGE_PERMISSION)


class OrderIndexView(IndexView):
    """The listing links every order to its page for anyone who may view orders (not only
    those who may change them), since the "edit" URL is the read-mostly order page."""

    def get_base_queryset(self):
        return super().get_base_queryset().filter(pk__in=orders_visible_to(user=self.request.user).values("pk"))

    def get_edit_url(self, instance):
        if self.edit_url_name and self.user_has_any_permission({"view", "change"}):
            return reverse(self.edit_url_name, args=(instance.pk,))

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for button in buttons:
            if button.url == self.get_edit_url(instance):
                button.label = _("View order")
                button.icon_name = "view"
        return buttons


class OrderDetailView(WagtailAdminTemplateMixin, TemplateView):
    """One order: lines, totals, address, payments, refunds, shipments, status history and
    the actions its status allows."""

    template_name = "orders/admin/order_detail.html"
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        if not user_can_view_orders(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.order = get_object_or_404(orders_visible_to(user=request.user), pk=kwargs["pk"])

    def get_page_title(self):
        return _("Order %(number)s") % {"number": self.order.number}

    def get_page_subtitle(self):
        return self.order.get_status_display()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(INDEX_URL_NAME), "label": gettext_lazy("Orders")},
            {"url": "", "label": self.order.number},
        ]

    # --- forms -------------------------------------------------------------------------------

    def _form(self, action: str, data=None) -> Form:
        kwargs = {"prefix": action, "data": data}
        if action == "refund":
            kwargs["refundable"] = refunds.order_refundable(order=self.order)
        return self.form_classes[action](**kwargs)

    form_classes: dict[str, type[Form]] = {
        "ship": ShipForm, "deliver": DeliverForm, "refund": RefundForm, "cancel": CancelForm,
        "refund_retry": RefundRetryForm,
    }

    def _ship(self, data: dict) -> str:
        fulfilment.order_ship(
            order=self.order, carrier=data["carrier"], tracking_number=data["tracking_number"], actor=self.request.user
        )
        return _("Order %(number)s is marked shipped; the buyer is told by email.")

    def _deliver(self, data: dict) -> str:
        fulfilment.order_mark_delivered(order=self.order, actor=self.request.user)
        return _("Order %(number)s is marked delivered.")

    def _refund(self, data: dict) -> str:
        refunds.refund_create(
            order=self.order, lines=data["lines"], delivery_fee_fen=data["delivery_fee_fen"],
            actor=self.request.user, reason=data["reason"],
        )
        return _("The refund of order %(number)s is recorded.")

    def _refund_retry(self, data: dict) -> str:
        refunds.refund_send(refund=get_object_or_404(self.order.refunds, pk=data["refund"]))
        return _("The refund of order %(number)s was sent to Stripe again.")

    def _cancel(self, data: dict) -> str:
        expiry.order_cancel(order=self.order, actor=self.request.user)
        return _("Order %(number)s is cancelled and its stock released.")

    def _service(self, action: str) -> Callable[[dict], str]:
        return {
            "ship": self._ship, "deliver": self._deliver, "refund": self._refund, "cancel": self._cancel,
            "refund_retry": self._refund_retry,
        }[action]

    # --- requests ----------------------------------------------------------------------------

    def get_context_data(self, forms: dict[str, Form] | None = None, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.order
        can_change = self.request.user.has_perm(CHANGE_PERMISSION)
        offered = offered_actions(order) if can_change else []
        bound = forms or {}
        labels = dict(OrderStatus.choices)
        # A form that failed stays on the page with its errors even if the status no longer
        # offers it (two staff members acting at once, say).
        shown = offered + [action for action in bound if action not in offered]
        context.update(
            order=order,
            lines=order.lines.all(),
            payments=order.payments.all(),
            refunds=order.refunds.select_related("actor").prefetch_related("lines__line"),
            refundable=refunds.order_refundable(order=order),
            shipments=order.shipments.order_by("shipped_at", "id"),
            events=[
                {
                    "event": event,
                    "from": labels.get(event.from_status, event.from_status),
                    "to": labels.get(event.to_status, event.to_status),
                }
                for event in order.events.select_related("actor")
            ],
            can_change=can_change,
            action_forms={action: bound.get(action) or self._form(action) for action in shown},
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action not in self.form_classes:
            return HttpResponseBadRequest(_("Unknown action."))
        form = self._form(action, data=request.POST)
        if form.is_valid():
            try:
                message = self._service(action)(form.cleaned_data)
            except REFUSALS as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, message % {"number": self.order.number})
                return redirect(DETAIL_URL_NAME, pk=self.order.pk)
        self.order.refresh_from_db()
        return self.render_to_response(self.get_context_data(forms={action: form}))
