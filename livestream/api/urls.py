"""API v1 of live selling, included under /api/v1/ by config/urls.py."""

from django.urls import path

from livestream.api import views

urlpatterns = [
    path("live/sessions/", views.LiveSessionListView.as_view(), name="api-live-sessions"),
    path("live/sessions/<int:pk>/", views.LiveSessionDetailView.as_view(), name="api-live-session"),
    path("live/sessions/<int:pk>/cart/", views.RoomCartView.as_view(), name="api-live-session-cart"),
]
