"""Demo live selling: a host from the village live-streaming workshop and her sessions.

Idempotent like the rest of the demo: it creates what is missing and changes nothing else.
"""

import datetime
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from livestream.models import Host, LiveSession, PinEvent, SessionProduct, SessionStatus
from shop.models import ProductPage, Workshop

HOST_USER = {"username": "asaosao", "email": "asaosao@example.com", "password": "live-host-demo"}
SHANGHAI = ZoneInfo("Asia/Shanghai")

SESSIONS = [
    {
        "title": "阿嫂嫂带你赶海：长街蛭子现挖现发",
        "description": "三门湾退潮后现挖的蛭子，直播间专享价，冷链次日达。",
        "products": ["changjie-zhizi", "changjie-zhizi-gan", "changjie-zicai", "changjie-xiapi"],
        "days_from_today": 1,
        "at": (19, 30),
    },
    {
        "title": "龙观春茶上新：高山云雾茶与土蜂蜜",
        "description": "在茶山上直播采茶、炒茶，顺便尝尝五龙潭的土蜂蜜。",
        "products": ["longguan-gaoshan-cha", "wulongtan-fengmi", "longguan-sungan"],
        "days_from_today": 3,
        "at": (20, 0),
    },
    {
        "title": "长街黄鱼鲞：渔嫂手作回放",
        "description": "上周的直播回放：晒鲞、切鲞、怎么蒸最好吃。",
        "products": ["changjie-huangyu", "changjie-zhizi-gan"],
        "days_from_today": -5,
        "at": (19, 0),
        "ended_after_minutes": 48,
    },
]


def _at(days: int, hour_minute: tuple[int, int]) -> datetime.datetime:
    today = timezone.now().astimezone(SHANGHAI).date() + datetime.timedelta(days=days)
    return datetime.datetime(today.year, today.month, today.day, *hour_minute, tzinfo=SHANGHAI)


def live_demo_load(*, progress: Callable[[str], None] = lambda message: None) -> None:
    User = get_user_model()
    user = User.objects.filter(username=HOST_USER["username"]).first()
    if user is None:
        user = User.objects.create_user(**HOST_USER, first_name="嫂嫂")
        progress(f"host user: {user.username}")
    host, _ = Host.objects.get_or_create(
        user=user,
        defaults={
            "display_name": "阿嫂嫂", "commission_rate_bp": 800,
            "workshop": Workshop.objects.filter(slug="longguan-live").first(),
            "bio": "龙观电商直播共富工坊的主播，卖自家村里的好东西。",
        },
    )
    for row in SESSIONS:
        if LiveSession.objects.filter(host=host, title=row["title"]).exists():
            continue
        start = _at(row["days_from_today"], row["at"])
        session = LiveSession.objects.create(
            host=host, title=row["title"], description=row["description"], scheduled_start=start,
            scheduled_end=start + datetime.timedelta(hours=1),
        )
        products = list(ProductPage.objects.filter(slug__in=row["products"]))
        products.sort(key=lambda p: row["products"].index(p.slug))
        for order, product in enumerate(products):
            SessionProduct.objects.create(session=session, product=product, sort_order=order)
        if "ended_after_minutes" in row:
            # A past broadcast: its pin timeline makes the replay's product cards.
            session.status = SessionStatus.ENDED
            session.started_at = start
            session.ended_at = start + datetime.timedelta(minutes=row["ended_after_minutes"])
            session.peak_viewers = 1268
            session.likes = 5320
            session.save()
            for index, product in enumerate(products):
                offset = 90 + index * 900
                PinEvent.objects.create(
                    session=session, product=product, at=start + datetime.timedelta(seconds=offset), offset_seconds=offset
                )
        progress(f"live session: {session.title}")
