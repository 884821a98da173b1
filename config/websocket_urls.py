"""WebSocket routes of every app, gathered for the ASGI router."""

from livestream.routing import websocket_urlpatterns as live_websockets

websocket_urlpatterns: list = [*live_websockets]
