"""Live-only offers: a price for a pool of units carved out of stock while the offer runs.

Starting an offer holds its pool in stock under the offer's own reference, so nobody outside
the room can take those units. Checkout claims units from the pool under a row lock on the
offer (never more than its quantity, never more than the per-buyer limit) and moves them from
the offer's hold to the order's: the same no-oversell guarantee as any checkout. When the
offer ends, whatever is left of the hold goes back to general stock.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from livestream import broadcast, events
from livestream.models import LiveOffer, LiveSession, OfferStatus, SessionStatus
from orders.buying.offer_provider import Buyer, OfferClaim, OfferLimitReached, OfferTerms
from orders.models import OrderLine, OrderStatus
from shop.inventory import SoldOut, stock_hold_shrink, stock_release, stock_reserve
from shop.models import ProductVariant

# An "until sold out" offer holds its pool this long at most; the host or the session's end
# gives it back sooner.
OPEN_ENDED_HOLD = datetime.timedelta(hours=12)
# Orders that no longer count against a buyer's limit.
_VOID = (OrderStatus.CANCELLED, OrderStatus.EXPIRED)


class OfferError(Exception):
    """An offer change that cannot be made; the message says why."""


@transaction.atomic
def offer_create(
    *, session: LiveSession, sku: str, price_fen: int, quantity: int, per_buyer_limit: int = 2,
    duration_seconds: int | None = None,
) -> LiveOffer:
    """Prepare an offer on one of the session's products (not running until offer_start)."""
    variant = ProductVariant.objects.select_related("page").filter(sku=sku, is_active=True).first()
    if variant is None:
        raise OfferError(_("No variant on sale has the SKU %(sku)s.") % {"sku": sku})
    if not session.session_products.filter(product_id=variant.page_id).exists():
        raise OfferError(_("Add the product to the session before making an offer on it."))
    if price_fen < 1:
        raise OfferError(_("The live price must be at least ¥0.01."))
    if quantity < 1 or per_buyer_limit < 1:
        raise OfferError(_("Offer at least one unit, and allow at least one per buyer."))
    if duration_seconds is not None and duration_seconds < 10:
        raise OfferError(_("An offer runs at least 10 seconds."))
    return LiveOffer.objects.create(
        session=session, sku=sku, price_fen=price_fen, quantity=quantity, per_buyer_limit=per_buyer_limit,
        duration_seconds=duration_seconds,
    )


@transaction.atomic
def offer_start(*, offer: LiveOffer) -> LiveOffer:
    """Start the offer: hold its pool in stock and announce it in the room.

    Raises OfferError when the session is not live or the offer already ran, and SoldOut when
    stock cannot cover the pool (nothing is held then).
    """
    offer = LiveOffer.objects.select_for_update().select_related("session").get(pk=offer.pk)
    if offer.status != OfferStatus.DRAFT:
        raise OfferError(_("This offer has already run; make a new one."))
    if offer.session.status != SessionStatus.LIVE:
        raise OfferError(_("Offers start only while the session is live."))
    now = timezone.now()
    ends_at = now + datetime.timedelta(seconds=offer.duration_seconds) if offer.duration_seconds else None
    stock_reserve(
        quantities={offer.sku: offer.quantity}, reference=offer.stock_reference,
        expires_at=ends_at or now + OPEN_ENDED_HOLD,
    )
    offer.status, offer.starts_at, offer.ends_at = OfferStatus.ACTIVE, now, ends_at
    offer.save(update_fields=["status", "starts_at", "ends_at"])
    broadcast.send_to_room(offer.session_id, events.offer_event(offer, events.OFFER_STARTED))
    return offer


@transaction.atomic
def offer_stop(*, offer: LiveOffer) -> LiveOffer:
    """End the offer now (host, session end, time up or sold out); idempotent.

    Unclaimed units go back to general stock.
    """
    offer = LiveOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status == OfferStatus.ENDED:
        return offer
    stock_release(reference=offer.stock_reference)
    offer.status, offer.ended_at = OfferStatus.ENDED, timezone.now()
    offer.save(update_fields=["status", "ended_at"])
    broadcast.send_to_room(offer.session_id, events.offer_event(offer, events.OFFER_ENDED))
    return offer


def offer_stop_due(*, now: datetime.datetime | None = None) -> int:
    """End running offers whose time is up (housekeeping: reads already treat them as ended)."""
    now = now or timezone.now()
    due = LiveOffer.objects.filter(status=OfferStatus.ACTIVE, ends_at__lte=now)
    count = 0
    for offer in due:
        offer_stop(offer=offer)
        count += 1
    return count


def offer_is_running(offer: LiveOffer, *, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        offer.status == OfferStatus.ACTIVE
        and offer.remaining > 0
        and (offer.ends_at is None or offer.ends_at > now)
    )


def offers_running(session: LiveSession) -> list[LiveOffer]:
    now = timezone.now()
    return [o for o in session.offers.filter(status=OfferStatus.ACTIVE).order_by("starts_at", "id") if offer_is_running(o, now=now)]


def offer_bought(*, offer_id: int, buyer: Buyer, excluding_order: str = "") -> int:
    """Units this buyer holds under the offer in orders that still count (not cancelled or expired)."""
    lines = OrderLine.objects.filter(offer_id=offer_id).exclude(order__status__in=_VOID)
    if excluding_order:
        lines = lines.exclude(order__number=excluding_order)
    if buyer.user_id is not None:
        lines = lines.filter(order__user_id=buyer.user_id)
    elif buyer.phone:
        lines = lines.filter(order__user__isnull=True, order__phone=buyer.phone)
    else:
        return 0
    return lines.aggregate(total=Sum("quantity"))["total"] or 0


@transaction.atomic
def offer_claim(*, claims: list[OfferClaim], buyer: Buyer, reference: str) -> None:
    """Take the claimed units from the offers' pools for order `reference`.

    Locks the offers in id order (so concurrent checkouts queue), checks each is running, has
    the units and that the buyer stays within its limit; moves the units out of the offer's
    stock hold for the order's own hold. Raises SoldOut or OfferLimitReached; nothing changes
    then. Broadcasts the new remaining quantity, and the offer's end when it sells out.
    """
    now = timezone.now()
    by_offer: dict[int, OfferClaim] = {}
    for claim in claims:
        previous = by_offer.get(claim.offer_id)
        quantity = claim.quantity + (previous.quantity if previous else 0)
        by_offer[claim.offer_id] = OfferClaim(offer_id=claim.offer_id, sku=claim.sku, quantity=quantity)
    offers = {o.pk: o for o in LiveOffer.objects.select_for_update().filter(pk__in=by_offer).order_by("pk")}
    shortages: dict[str, int] = {}
    for offer_id, claim in by_offer.items():
        offer = offers.get(offer_id)
        if offer is None or offer.sku != claim.sku or not offer_is_running(offer, now=now):
            shortages[claim.sku] = 0
            continue
        if claim.quantity > offer.remaining:
            shortages[claim.sku] = offer.remaining
            continue
        already = offer_bought(offer_id=offer_id, buyer=buyer, excluding_order=reference)
        if already + claim.quantity > offer.per_buyer_limit:
            raise OfferLimitReached(
                _("The live offer allows %(n)s per buyer; you already have %(k)s.")
                % {"n": offer.per_buyer_limit, "k": already}
            )
    if shortages:
        raise SoldOut(shortages)
    for offer_id, claim in by_offer.items():
        offer = offers[offer_id]
        stock_hold_shrink(reference=offer.stock_reference, quantities={claim.sku: claim.quantity})
        LiveOffer.objects.filter(pk=offer_id).update(claimed=F("claimed") + claim.quantity)
        offer.refresh_from_db(fields=["claimed"])
        broadcast.send_to_room(offer.session_id, events.remaining_event(offer))
        if offer.remaining == 0:
            offer.status, offer.ended_at = OfferStatus.ENDED, now
            offer.save(update_fields=["status", "ended_at"])
            broadcast.send_to_room(offer.session_id, events.offer_event(offer, events.OFFER_ENDED))


class LiveOfferProvider:
    """The cart's view of live offers (settings.ORDERS_OFFER_PROVIDER)."""

    def terms(self, offer_ids: Iterable[int]) -> dict[int, OfferTerms]:
        now = timezone.now()
        return {
            offer.pk: OfferTerms(
                offer_id=offer.pk, sku=offer.sku, price_fen=offer.price_fen, remaining=offer.remaining,
                per_buyer_limit=offer.per_buyer_limit, active=offer_is_running(offer, now=now),
            )
            for offer in LiveOffer.objects.filter(pk__in=list(offer_ids))
        }

    def bought(self, *, offer_id: int, buyer: Buyer) -> int:
        return offer_bought(offer_id=offer_id, buyer=buyer)

    def claim(self, *, claims: list[OfferClaim], buyer: Buyer, reference: str) -> None:
        offer_claim(claims=claims, buyer=buyer, reference=reference)
