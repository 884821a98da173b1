"""The live room's sockets: viewers (anyone) and the host console (the session's host only).

Consumers authenticate on connect, parse what arrives, call a service and reply. Room events
reach them from broadcast.py already encoded, and are forwarded as they are.

Close codes: 4404 no such session, 4403 not allowed (the host socket for anyone but the host).
"""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _

from livestream import broadcast, chat, events, offers, presence, sessions
from livestream.models import LiveOffer, LiveSession
from livestream.reports import session_stats
from orders.buying.offer_provider import OfferLimitReached
from shop.inventory import SoldOut
from shop.models import ProductPage

CLOSE_NOT_FOUND = 4404
CLOSE_FORBIDDEN = 4403

HOST_ACTIONS = frozenset({"pin", "offer_start", "offer_create", "offer_stop", "comment_remove", "mute", "end", "stats"})


class BadRequest(Exception):
    """The message cannot be understood; the socket stays open."""


def _load_session(session_id: int) -> LiveSession | None:
    return LiveSession.objects.select_related("host").filter(pk=session_id).first()


def _int(data: dict, name: str, *, optional: bool = False) -> int | None:
    value = data.get(name)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise BadRequest(name)
    return value


class ViewerConsumer(AsyncWebsocketConsumer):
    """ws/live/<pk>/: watch, comment (logged in) and like."""

    for_host = False

    async def connect(self):
        self.session_id = int(self.scope["url_route"]["kwargs"]["pk"])
        self.counted = False
        await self.accept()
        session = await database_sync_to_async(_load_session)(self.session_id)
        if session is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if not self.allowed(session):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        for group in self.live_groups():
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send_json(await database_sync_to_async(presence.room_state)(session, for_host=self.for_host))
        await self.arrived(session)

    def allowed(self, session: LiveSession) -> bool:
        return True

    def live_groups(self) -> list[str]:
        return [broadcast.room_group(self.session_id)]

    async def arrived(self, session: LiveSession) -> None:
        self.counted = True
        await presence.viewer_arrived(self.session_id)

    async def disconnect(self, code):
        if not hasattr(self, "session_id"):
            return
        for group in self.live_groups():
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.counted:
            self.counted = False
            await presence.viewer_left(self.session_id)

    async def live_event(self, message):
        await self.send(text_data=message["text"])

    async def send_json(self, payload: dict) -> None:
        await self.send(text_data=broadcast.encode(payload))

    async def receive(self, text_data=None, bytes_data=None):
        try:
            data = json.loads(text_data or "")
            if not isinstance(data, dict) or not isinstance(data.get("action"), str):
                raise BadRequest("action")
            await self.dispatch_action(data["action"], data)
        except (ValueError, BadRequest):
            await self.send_json(events.error_event("bad_request", _("That message could not be understood.")))
        except chat.ChatError as error:
            await self.send_json(events.error_event(error.code, error.message))
        except sessions.SessionError as error:
            await self.send_json(events.error_event("session", str(error)))
        except offers.OfferError as error:
            await self.send_json(events.error_event("offer", str(error)))
        except SoldOut as error:
            await self.send_json(events.error_event("sold_out", str(error)))
        except OfferLimitReached as error:
            await self.send_json(events.error_event("limit", str(error)))
        except (LiveOffer.DoesNotExist, ProductPage.DoesNotExist, LiveSession.DoesNotExist):
            await self.send_json(events.error_event("not_found", _("That item no longer exists; reload the page.")))

    async def dispatch_action(self, action: str, data: dict) -> None:
        if action == "comment":
            body = data.get("body")
            if not isinstance(body, str):
                raise BadRequest("body")
            await database_sync_to_async(self.comment)(body)
        elif action == "like":
            await presence.likes_sent(self.session_id, _int(data, "count"))
        elif action in HOST_ACTIONS:
            await self.send_json(events.error_event("forbidden", _("Only the host can do that.")))
        else:
            raise BadRequest(action)

    def comment(self, body: str) -> None:
        session = LiveSession.objects.select_related("host").get(pk=self.session_id)
        chat.comment_post(session=session, user=self.scope.get("user"), body=body)


class HostConsumer(ViewerConsumer):
    """ws/live/<pk>/host/: the host console. Pins, offers, moderation, ending, live figures."""

    for_host = True

    def allowed(self, session: LiveSession) -> bool:
        user = self.scope.get("user")
        return bool(user is not None and user.is_authenticated and session.host.user_id == user.pk)

    def live_groups(self) -> list[str]:
        return [broadcast.room_group(self.session_id), broadcast.host_group(self.session_id)]

    async def arrived(self, session: LiveSession) -> None:
        # The host is not an audience member: not counted among the viewers.
        await self.send_json(await database_sync_to_async(self.stats)())

    async def dispatch_action(self, action: str, data: dict) -> None:
        if action not in HOST_ACTIONS:
            await super().dispatch_action(action, data)
            return
        reply = await database_sync_to_async(self.host_action)(action, data)
        if reply is not None:
            await self.send_json(reply)

    def stats(self) -> dict:
        session = LiveSession.objects.get(pk=self.session_id)
        return {"type": events.STATS, **session_stats(session)}

    def host_action(self, action: str, data: dict) -> dict | None:
        session = LiveSession.objects.select_related("host").get(pk=self.session_id)
        user = self.scope["user"]
        if action == "pin":
            product_id = _int(data, "product_id", optional=True)
            product = None if product_id is None else ProductPage.objects.get(pk=product_id)
            sessions.pin_set(session=session, product=product, actor=user)
        elif action == "offer_create":
            sku = data.get("sku")
            if not isinstance(sku, str) or not sku:
                raise BadRequest("sku")
            limit = _int(data, "per_buyer_limit", optional=True)
            offer = offers.offer_create(
                session=session, sku=sku, price_fen=_int(data, "price_fen"), quantity=_int(data, "quantity"),
                duration_seconds=_int(data, "duration_seconds", optional=True),
                **({} if limit is None else {"per_buyer_limit": limit}),
            )
            if data.get("start"):
                offers.offer_start(offer=offer)
            else:
                # A draft is the host's business; the room hears of it when it starts.
                return events.offer_event(offer, events.OFFER_CHANGED)
        elif action == "offer_start":
            offers.offer_start(offer=LiveOffer.objects.get(pk=_int(data, "offer_id"), session=session))
        elif action == "offer_stop":
            offers.offer_stop(offer=LiveOffer.objects.get(pk=_int(data, "offer_id"), session=session))
        elif action == "comment_remove":
            chat.comment_remove(session=session, comment_id=_int(data, "comment_id"), actor=user)
        elif action == "mute":
            chat.viewer_mute(session=session, user_id=_int(data, "user_id"), actor=user)
            return {"type": "muted", "user_id": data["user_id"]}
        elif action == "end":
            sessions.session_end(session=session, by_host=True)
        elif action == "stats":
            return self.stats()
        return None

