"""WebSocket routes of the live room: one socket for viewers, one for the host console."""

websocket_urlpatterns: list = []
