"""The accountants' workbench in the Wagtail admin: its URLs under /admin/settlement/ and its
menu item, shown only to accountants and superusers (the views check again: a menu item
hides a link, it does not guard a URL)."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from orders.accounting import months  # noqa: F401  (registers the <month:…> converter)
from orders.accounting import workbench_views as views
from orders.accounting.scoping import is_accountant

MONTH = "<str:cooperative>/<month:month>"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("<str:cooperative>/", views.CooperativeView.as_view(), name="cooperative"),
    path("<str:cooperative>/payouts/", views.PayoutsView.as_view(), name="payouts"),
    path(f"{MONTH}/", views.OverviewView.as_view(), name="overview"),
    path(f"{MONTH}/review/", views.ReviewView.as_view(), name="review"),
    path(f"{MONTH}/reopen/", views.ReopenView.as_view(), name="reopen"),
    path(f"{MONTH}/close/", views.CloseView.as_view(), name="close"),
    path(f"{MONTH}/statements/", views.StatementsView.as_view(), name="statements"),
    path(f"{MONTH}/statements/export/<str:fmt>/", views.ExportView.as_view(), name="export"),
    path(f"{MONTH}/statements/<str:recipient>/", views.DrilldownView.as_view(), name="drilldown"),
]


@hooks.register("register_admin_urls")
def register_workbench_urls():
    return [path("settlement/", include((urlpatterns, views.NAMESPACE), namespace=views.NAMESPACE))]


class WorkbenchMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return is_accountant(user=request.user)


@hooks.register("register_admin_menu_item")
def register_workbench_menu_item():
    return WorkbenchMenuItem(
        _("Settlement"), reverse_lazy(f"{views.NAMESPACE}:index"), name="settlement", icon_name="table", order=210,
    )
