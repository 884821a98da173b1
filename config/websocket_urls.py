"""WebSocket routes of every app, gathered for the ASGI router (the live room adds its own)."""

websocket_urlpatterns: list = []
