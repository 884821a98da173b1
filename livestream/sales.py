"""Buying from the room, and the room hearing of sales.

A purchase from the room (or its replay, within the attribution window) puts the session,
its host and the commission rate on the cart line, and the live price when bought under a
running offer; from there it is an ordinary checkout. When such an order is paid, the room's
ticker shows it with the buyer masked, and the host console's figures refresh.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from livestream import broadcast, events
from livestream.models import LiveOffer, LiveSession, SessionStatus
from livestream.reports import session_stats
from livestream.sessions import session_attribution
from orders.buying.cart import Attribution, CartError, cart_add
from orders.buying.offer_provider import buyer_for
from orders.models import Cart, CartLine, Order


def room_buy(
    *, session: LiveSession, cart: Cart, sku: str, quantity: int, offer_id: int | None = None,
    user: AbstractBaseUser | None = None,
) -> CartLine:
    """Put units into the cart from the room, attributed to the session while it may be.

    Only products the session sells can be bought here; an offer must be one of this
    session's. Raises CartError with a message for the viewer.
    """
    if not session.session_products.filter(product__variants__sku=sku).exists():
        raise CartError(_("This session does not sell that item."))
    if offer_id is not None:
        if not LiveOffer.objects.filter(pk=offer_id, session=session, sku=sku).exists():
            raise CartError(_("This live offer has ended."))
        if session.status != SessionStatus.LIVE:
            raise CartError(_("Live prices are for the live broadcast only."))
    found = session_attribution(session)
    attribution = (
        Attribution(live_session_id=found.session_id, host_id=found.host_id, host_rate_bp=found.host_rate_bp)
        if found
        else None
    )
    return cart_add(
        cart=cart, sku=sku, quantity=quantity, attribution=attribution, offer_id=offer_id,
        buyer=buyer_for(user=user) if user is not None and user.is_authenticated else None,
    )


def buyer_display_name(order: Order) -> str:
    if order.recipient:
        return order.recipient
    if order.user_id:
        user = order.user
        return user.get_full_name() or user.get_username()
    return order.phone or ""


def order_paid_announce(*, order: Order) -> int:
    """Tell each session an order bought from that it sold; returns how many were told."""
    by_session: dict[int, list] = {}
    for line in order.lines.filter(live_session_id__isnull=False):
        by_session.setdefault(line.live_session_id, []).append(line)
    name = buyer_display_name(order)
    for session in LiveSession.objects.filter(pk__in=by_session):
        for line in by_session[session.pk]:
            broadcast.send_to_room(
                session.pk,
                events.sale_event(
                    buyer_name=name, quantity=line.quantity, label=line.variant_label, product_title=line.product_title
                ),
            )
        broadcast.send_to_hosts(session.pk, {"type": events.STATS, **session_stats(session)})
    return len(by_session)
