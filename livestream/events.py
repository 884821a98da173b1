"""Live event names and payloads: the JSON every socket of a session receives.

Each payload has "type" (status, pin, offer, remaining, sale, comment, comment_removed, viewers,
likes, stats, state, error); offer events also carry "event" (started, changed, ended). Money is
integer fen; times ISO 8601.
"""

from django.utils import timezone
from django.utils.html import escape

from livestream.models import Comment, LiveOffer, LiveSession
from shop.models import ProductPage, ProductVariant
from shop.selectors import stock_available

STATUS = "status"
PIN = "pin"
OFFER = "offer"
REMAINING = "remaining"
SALE = "sale"
COMMENT = "comment"
COMMENT_REMOVED = "comment_removed"
VIEWERS = "viewers"
LIKES = "likes"
STATS = "stats"
STATE = "state"
ERROR = "error"

OFFER_STARTED, OFFER_CHANGED, OFFER_ENDED = "started", "changed", "ended"


def status_event(session: LiveSession) -> dict:
    return {
        "type": STATUS,
        "status": session.status,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "replay_url": session.replay_url,
    }


def product_card(product: ProductPage | None) -> dict | None:
    """What the room shows of a product: enough to draw the card and the buy sheet."""
    if product is None:
        return None
    variants = [v for v in product.variants.all() if v.is_active]
    available = stock_available(skus=[v.sku for v in variants])
    image = product.gallery_images.first() if hasattr(product, "gallery_images") else None
    thumbnail = ""
    if image is not None and image.image_id:
        thumbnail = image.image.get_rendition("fill-240x240|format-webp").url
    return {
        "id": product.pk,
        "title": product.title,
        "url": product.url,
        "image": thumbnail,
        "variants": [
            {"sku": v.sku, "label": v.label, "price_fen": v.price_fen, "available": available.get(v.sku, 0)}
            for v in variants
        ],
    }


def pin_event(product: ProductPage | None) -> dict:
    return {"type": PIN, "product": product_card(product)}


def offer_payload(offer: LiveOffer, variant: ProductVariant | None = None) -> dict:
    if variant is None:
        variant = ProductVariant.objects.select_related("page").filter(sku=offer.sku).first()
    return {
        "id": offer.pk,
        "sku": offer.sku,
        "product_id": variant.page_id if variant else None,
        "product_title": variant.page.title if variant else offer.sku,
        "variant_label": variant.label if variant else "",
        "price_fen": offer.price_fen,
        "catalogue_price_fen": variant.price_fen if variant else None,
        "quantity": offer.quantity,
        "remaining": offer.remaining,
        "per_buyer_limit": offer.per_buyer_limit,
        "status": offer.status,
        "ends_at": offer.ends_at,
        "server_time": timezone.now(),
    }


def offer_event(offer: LiveOffer, event: str) -> dict:
    return {"type": OFFER, "event": event, "offer": offer_payload(offer)}


def remaining_event(offer: LiveOffer) -> dict:
    return {"type": REMAINING, "offer_id": offer.pk, "remaining": offer.remaining, "sold_out": offer.remaining == 0}


def mask_name(name: str) -> str:
    """王小明 → 王**, alice@example.com → a**: enough to feel real, not enough to identify."""
    name = (name or "").strip()
    if not name:
        return "**"
    return name[0] + "**"


def sale_event(*, buyer_name: str, quantity: int, label: str, product_title: str) -> dict:
    return {
        "type": SALE,
        "buyer": mask_name(buyer_name),
        "quantity": quantity,
        "label": label,
        "product_title": product_title,
    }


def comment_payload(comment: Comment) -> dict:
    # Viewers type these, so they leave the server HTML-escaped, once, here: a page may insert
    # them as markup ("<script>" arrives as "&lt;script&gt;" and shows as typed).
    return {
        "id": comment.pk,
        "author": escape(comment.author_name),
        "body": escape(comment.body),
        "user_id": comment.user_id,
        "at": comment.created_at,
    }


def comment_event(comment: Comment) -> dict:
    return {"type": COMMENT, "comment": comment_payload(comment)}


def comment_removed_event(comment_id: int) -> dict:
    return {"type": COMMENT_REMOVED, "comment_id": comment_id}


def viewers_event(count: int) -> dict:
    return {"type": VIEWERS, "count": count}


def likes_event(count: int) -> dict:
    return {"type": LIKES, "count": count}


def error_event(code: str, message: str) -> dict:
    return {"type": ERROR, "code": code, "message": message}
