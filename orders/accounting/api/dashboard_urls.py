"""API v1 of the public common-prosperity dashboard, included under /api/v1/ by config/urls.py."""

from django.urls import path

from orders.accounting.api import dashboard_views

urlpatterns = [
    path("dashboard/", dashboard_views.DashboardView.as_view(), name="api-dashboard"),
]
