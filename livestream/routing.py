"""WebSocket routes of the live room: one socket for viewers, one for the host console."""

from django.urls import path

from livestream.consumers import HostConsumer, ViewerConsumer

websocket_urlpatterns: list = [
    path("ws/live/<int:pk>/", ViewerConsumer.as_asgi()),
    path("ws/live/<int:pk>/host/", HostConsumer.as_asgi()),
]
