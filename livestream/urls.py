"""Live selling pages, the room's purchase endpoints and the media server's callbacks."""

from django.urls import path

from livestream import media_views, shop_views, views

app_name = "livestream"

urlpatterns = [
    path("live/", views.session_list, name="list"),
    path("live/<int:pk>/", views.room, name="room"),
    path("live/<int:pk>/console/", views.console, name="console"),
    path("live/<int:pk>/buy/", shop_views.room_buy, name="buy"),
    path("live/<int:pk>/remind/", shop_views.reminder_create, name="remind"),
    path("live/<int:pk>/report/", shop_views.report, name="report"),
    path("live/<int:pk>/report.csv", shop_views.report_csv, name="report-csv"),
    path("live/media/on_publish", media_views.on_publish, name="media-on-publish"),
    path("live/media/on_publish_done", media_views.on_publish_done, name="media-on-publish-done"),
    path("live/media/on_record_done", media_views.on_record_done, name="media-on-record-done"),
]
