"""The only caller of group_send: every live event reaches sockets through here.

Events are serialised to JSON once, here, and every consumer in the group forwards the same
text, so a pin reaching thousands of viewers costs one encoding. Sends inside a transaction
wait for its commit, so nobody hears of a change that was rolled back.
"""

import json

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction


def room_group(session_id: int) -> str:
    """Everyone in the room: viewers and the host console."""
    return f"live.room.{session_id}"


def host_group(session_id: int) -> str:
    """Only the session's host consoles: figures viewers must not see."""
    return f"live.host.{session_id}"


def encode(payload: dict) -> str:
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def _send(group: str, payload: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group, {"type": "live.event", "text": encode(payload)})


def send_to_room(session_id: int, payload: dict) -> None:
    # robust: the change is committed whatever happens to its news; a channel layer that is
    # down is logged, never turned into a failed go-live, sale or callback.
    transaction.on_commit(lambda: _send(room_group(session_id), payload), robust=True)


def send_to_hosts(session_id: int, payload: dict) -> None:
    transaction.on_commit(lambda: _send(host_group(session_id), payload), robust=True)
