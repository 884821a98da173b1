"""The public common-prosperity dashboard, included at /gongfu/ by config/urls.py."""

from django.urls import path

from orders.accounting import dashboard_views

app_name = "dashboard"

urlpatterns = [
    path("", dashboard_views.dashboard_index, name="index"),
]
