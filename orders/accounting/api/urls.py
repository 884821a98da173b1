"""API v1 for cooperative accountants, included under /api/v1/ by config/urls.py."""

from django.urls import path

from orders.accounting import months  # noqa: F401  (registers the <month:…> converter)
from orders.accounting.api import views as views

urlpatterns = [
    path("accounting/periods/", views.PeriodListView.as_view(), name="api-accounting-periods"),
    path("accounting/periods/<int:id>/", views.PeriodDetailView.as_view(), name="api-accounting-period"),
    path("accounting/periods/<int:id>/statements/", views.PeriodStatementsView.as_view(), name="api-accounting-period-statements"),
    path("accounting/periods/<int:id>/review/", views.PeriodReviewView.as_view(), name="api-accounting-period-review"),
    path("accounting/periods/<int:id>/reopen/", views.PeriodReopenView.as_view(), name="api-accounting-period-reopen"),
    path("accounting/periods/<int:id>/close/", views.PeriodCloseView.as_view(), name="api-accounting-period-close"),
    path(
        "accounting/cooperatives/<str:cooperative>/months/<month:month>/statements/",
        views.MonthStatementsView.as_view(), name="api-accounting-month-statements",
    ),
]
