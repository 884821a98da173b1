"""Placing an order: recompute the cart, hold the stock, write the order and its lines."""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.buying.cart import cart_summary, cart_view
from orders.buying.offer_provider import OfferClaim, OfferLimitReached, buyer_for, offer_provider
from orders.models import Cart, CartLine, Order, OrderEvent, OrderLine, OrderStatus
from shop.inventory import SoldOut, stock_reserve


class CheckoutError(Exception):
    """The order cannot be placed; the message says what to fix."""


class OfferEnded(SoldOut):
    """Lines added at a live price whose offer has since sold out or ended.

    Nothing is charged at a price the shopper did not see: the lines are moved back to the
    catalogue price (the cart now shows it) and placing the order again buys at that price.
    """

    def __init__(self, lines: dict[str, str]):
        self.shortages = {sku: 0 for sku in lines}
        Exception.__init__(
            self,
            _("The live price of %(items)s has ended; your cart now shows the regular price. "
              "Place the order again to buy at that price.") % {"items": "、".join(lines.values())},
        )


@dataclass(frozen=True)
class Contact:
    phone: str
    email: str = ""
    recipient: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    address_detail: str = ""
    note: str = ""


def reservation_minutes() -> int:
    return getattr(settings, "STOCK_RESERVATION_MINUTES", 15)


def order_number(now: datetime.datetime | None = None) -> str:
    """e.g. LJ20261129-7F3K9Q: the Shanghai date and six random characters."""
    now = timezone.localtime(now or timezone.now())
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return f"LJ{now:%Y%m%d}-" + "".join(secrets.choice(alphabet) for _ in range(6))


def order_place(*, cart: Cart, contact: Contact, user: AbstractBaseUser | None = None) -> Order:
    """Turn the cart into an order awaiting payment, holding its stock for a limited time.

    Prices, titles and the delivery fee are computed here from the catalogue (or a running
    live offer), never taken from the request. The cart is emptied. Raises CheckoutError
    (empty cart, a line with a problem, missing address), SoldOut (someone else got the last
    units; nothing is held) or OfferEnded (a live price ended; the cart now shows the regular
    price, and placing the order again buys at it).
    """
    try:
        return _order_place(cart=cart, contact=contact, user=user)
    except OfferEnded:
        # Committed on its own, after the rollback: the next attempt is at the shown price.
        ended = [line.id for line in cart_view(cart=cart).lines if line.offer_ended]
        CartLine.objects.filter(pk__in=ended).update(offer_id=None)
        raise


@transaction.atomic
def _order_place(*, cart: Cart, contact: Contact, user: AbstractBaseUser | None) -> Order:
    summary = cart_summary(cart=cart)
    view = summary.view
    if not view.lines:
        raise CheckoutError(_("Your cart is empty."))
    ended = {line.sku: f"{line.product_title} {line.variant_label}" for line in view.lines if line.offer_ended}
    if ended:
        raise OfferEnded(ended)
    problems = [f"{line.product_title} {line.variant_label}: {line.problem}" for line in view.lines if line.problem and not line.short_by_stock]
    if problems:
        raise CheckoutError("；".join(problems))
    shortages = {line.sku: line.available for line in view.lines if line.short_by_stock}
    if shortages:
        raise SoldOut(shortages)
    method = summary.shipping_method
    if summary.needs_address and not all(
        (contact.recipient, contact.province, contact.city, contact.district, contact.address_detail)
    ):
        raise CheckoutError(_("Give the delivery address: recipient, province, city, district and street."))
    subtotal, shipping = summary.subtotal_fen, summary.shipping_fen
    now = timezone.now()
    number = order_number(now)
    reserved_until = now + datetime.timedelta(minutes=reservation_minutes())
    quantities: dict[str, int] = {}
    for line in view.lines:
        quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
    order = Order.objects.create(
        number=number,
        user=user if user is not None and user.is_authenticated else None,
        email=contact.email, phone=contact.phone, recipient=contact.recipient,
        province=contact.province, city=contact.city, district=contact.district,
        address_detail=contact.address_detail, note=contact.note,
        shipping_method=method, subtotal_fen=subtotal, shipping_fen=shipping, total_fen=subtotal + shipping,
        currency=settings.CURRENCY, reserved_until=reserved_until,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order, product_id=line.product_id, cooperative_id=line.cooperative_id, sku=line.sku,
            product_title=line.product_title, variant_label=line.variant_label,
            unit_price_fen=line.unit_price_fen, quantity=line.quantity, line_total_fen=line.line_total_fen,
            live_session_id=line.live_session_id, host_id=line.host_id, host_rate_bp=line.host_rate_bp,
            offer_id=line.offer_id,
        )
        for line in view.lines
    )
    OrderEvent.objects.create(
        order=order, from_status="", to_status=OrderStatus.PENDING_PAYMENT,
        actor=order.user, note=_("Order placed"),
    )
    cart.lines.all().delete()
    claims = [OfferClaim(offer_id=line.offer_id, sku=line.sku, quantity=line.quantity) for line in view.lines if line.offer_id]
    if claims:
        # Moves the units from the offers' pools into this order's hold (below), or raises.
        try:
            offer_provider().claim(claims=claims, buyer=buyer_for(user=user, phone=contact.phone), reference=number)
        except OfferLimitReached as limit:
            raise CheckoutError(str(limit)) from limit
    # Last, so the SKU rows stay locked only from here to the commit: checkouts of a popular
    # SKU queue behind each other for as short a time as possible. SoldOut rolls everything back.
    stock_reserve(quantities=quantities, reference=number, expires_at=reserved_until)
    return order


__all__ = ["CheckoutError", "Contact", "OfferEnded", "SoldOut", "order_place"]
