"""The cart: lines of SKU and quantity; every price and availability recomputed on read.

A request can only ever say which SKU and how many: the price, title and stock come from the
catalogue and the stock records, so a tampered form or API call changes nothing it should not.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from orders.buying.offer_provider import Buyer, offer_provider
from orders.buying.shipping import needs_address, shipping_fee_fen, shipping_method_for
from orders.models import Cart, CartLine, ShippingMethod
from shop.models import ProductVariant, ShippingProfile
from shop.selectors import stock_available

MAX_QUANTITY_PER_LINE = getattr(settings, "CART_MAX_QUANTITY_PER_LINE", 99)
MAX_LINES = getattr(settings, "CART_MAX_LINES", 30)


class CartError(Exception):
    """A cart change that cannot be made; the message says why, for the shopper."""


@dataclass(frozen=True)
class Attribution:
    """A live session a line was bought from, with its host and commission rate."""

    live_session_id: int
    host_id: int | None = None
    host_rate_bp: int | None = None


@dataclass
class CartLineView:
    id: int
    sku: str
    quantity: int
    product_id: int | None
    product_title: str
    product_url: str
    variant_label: str
    unit_price_fen: int
    line_total_fen: int
    available: int
    shipping_profile: str
    cooperative_id: int | None
    live_session_id: int | None
    host_id: int | None
    host_rate_bp: int | None
    problem: str = ""
    short_by_stock: bool = False
    offer_id: int | None = None  # set only while the line is priced by a running offer
    catalogue_price_fen: int = 0
    offer_ended: bool = False  # the line was added under an offer that has ended since


@dataclass
class CartView:
    lines: list[CartLineView] = field(default_factory=list)

    @property
    def subtotal_fen(self) -> int:
        return sum(line.line_total_fen for line in self.lines if not line.problem)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def can_check_out(self) -> bool:
        return bool(self.lines) and not any(line.problem for line in self.lines)

    @property
    def shipping_profiles(self) -> set[str]:
        return {line.shipping_profile for line in self.lines}


def _variant(sku: str) -> ProductVariant:
    variant = (
        ProductVariant.objects.select_related("page")
        .filter(sku=sku.strip().upper(), is_active=True, page__live=True)
        .first()
    )
    if variant is None:
        raise CartError(_("This item is not on sale."))
    return variant


def _check_quantity(quantity: int) -> None:
    if not isinstance(quantity, int) or quantity < 1:
        raise CartError(_("Quantity must be at least 1."))
    if quantity > MAX_QUANTITY_PER_LINE:
        raise CartError(_("At most %(n)s of one item per order.") % {"n": MAX_QUANTITY_PER_LINE})


@transaction.atomic
def cart_add(
    *, cart: Cart, sku: str, quantity: int = 1, attribution: Attribution | None = None,
    offer_id: int | None = None, buyer: Buyer | None = None,
) -> CartLine:
    """Add units of a SKU (to the existing line if there is one). Raises CartError.

    With `offer_id` the line is priced by that running offer: its units come from the offer's
    pool, at most its per-buyer limit less what `buyer` already bought under it.
    """
    _check_quantity(quantity)
    variant = _variant(sku)
    line = CartLine.objects.select_for_update().filter(cart=cart, sku=variant.sku).first()
    if line is None:
        if cart.lines.count() >= MAX_LINES:
            raise CartError(_("A cart holds at most %(n)s different items.") % {"n": MAX_LINES})
        line = CartLine(cart=cart, sku=variant.sku, quantity=0)
    new_quantity = line.quantity + quantity
    _check_quantity(new_quantity)
    if offer_id is None and line.offer_id and _offer_running(line.offer_id):
        offer_id = line.offer_id  # one line per SKU: more units of a live-priced line stay live-priced
    if offer_id is not None:
        _check_offer(offer_id=offer_id, sku=variant.sku, quantity=new_quantity, buyer=buyer)
        line.offer_id = offer_id
        available = new_quantity  # the offer's pool is held apart from the general stock
    else:
        line.offer_id = None
        available = stock_available(skus=[variant.sku])[variant.sku]
    if new_quantity > available:
        raise CartError(
            _("Only %(n)s of %(item)s left.") % {"n": available, "item": f"{variant.page.title} {variant.label}"}
            if available
            else _("%(item)s is sold out.") % {"item": f"{variant.page.title} {variant.label}"}
        )
    line.quantity = new_quantity
    if attribution is not None:
        line.live_session_id = attribution.live_session_id
        line.host_id = attribution.host_id
        line.host_rate_bp = attribution.host_rate_bp
    line.save()
    cart.save(update_fields=["updated_at"])
    return line


@transaction.atomic
def _check_offer(*, offer_id: int, sku: str, quantity: int, buyer: Buyer | None) -> None:
    provider = offer_provider()
    terms = provider.terms([offer_id]).get(offer_id)
    if terms is None or not terms.active or terms.sku != sku:
        raise CartError(_("This live offer has ended."))
    allowed = terms.per_buyer_limit - (provider.bought(offer_id=offer_id, buyer=buyer) if buyer else 0)
    if quantity > allowed:
        raise CartError(
            _("This live offer allows %(n)s per buyer.") % {"n": terms.per_buyer_limit}
            if allowed > 0
            else _("You already have this live offer's limit of %(n)s.") % {"n": terms.per_buyer_limit}
        )
    if quantity > terms.remaining:
        raise CartError(
            _("Only %(n)s left at the live price.") % {"n": terms.remaining}
            if terms.remaining
            else _("The live offer is sold out.")
        )


def _offer_running(offer_id: int) -> bool:
    terms = offer_provider().terms([offer_id]).get(offer_id)
    return terms is not None and terms.active


def cart_set_quantity(*, cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Set a line's quantity; 0 removes it. Raises CartError."""
    line = CartLine.objects.select_for_update().filter(cart=cart, pk=line_id).first()
    if line is None:
        raise CartError(_("That item is no longer in your cart."))
    if quantity == 0:
        line.delete()
        return None
    _check_quantity(quantity)
    terms = offer_provider().terms([line.offer_id]).get(line.offer_id) if line.offer_id else None
    if terms is not None and terms.active:
        _check_offer(offer_id=line.offer_id, sku=line.sku, quantity=quantity, buyer=None)
    else:
        available = stock_available(skus=[line.sku])[line.sku]
        if quantity > available:
            raise CartError(_("Only %(n)s left.") % {"n": available})
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


def cart_remove(*, cart: Cart, line_id: int) -> None:
    CartLine.objects.filter(cart=cart, pk=line_id).delete()


@transaction.atomic
def cart_merge(*, source: Cart, target: Cart) -> Cart:
    """Move the lines of an anonymous cart into a user's cart (at login), then drop it.

    Quantities of the same SKU add up, capped by the per-line limit; the newer attribution wins.
    """
    if source.pk == target.pk:
        return target
    for line in source.lines.all():
        existing = target.lines.filter(sku=line.sku).first()
        if existing:
            existing.quantity = min(existing.quantity + line.quantity, MAX_QUANTITY_PER_LINE)
            if line.live_session_id:
                existing.live_session_id, existing.host_id, existing.host_rate_bp = line.live_session_id, line.host_id, line.host_rate_bp
            if line.offer_id:
                existing.offer_id = line.offer_id
            existing.save()
        elif target.lines.count() < MAX_LINES:
            line.cart = target
            line.save(update_fields=["cart"])
    source.delete()
    return target


def cart_view(*, cart: Cart | None) -> CartView:
    """The cart as the shopper sees it now: today's prices, stock and any problem per line."""
    if cart is None or cart.pk is None:
        return CartView()
    lines = list(cart.lines.all())
    variants = {
        v.sku: v
        for v in ProductVariant.objects.select_related("page").filter(sku__in=[line.sku for line in lines])
    }
    available = stock_available(skus=[line.sku for line in lines])
    offer_ids = [line.offer_id for line in lines if line.offer_id]
    offers = offer_provider().terms(offer_ids) if offer_ids else {}
    view = CartView()
    for line in lines:
        variant = variants.get(line.sku)
        on_sale = variant is not None and variant.is_active and variant.page.live
        product = variant.page if on_sale else None
        terms = offers.get(line.offer_id) if line.offer_id else None
        live_price = on_sale and terms is not None and terms.active and terms.sku == line.sku
        line_available = terms.remaining if live_price else available[line.sku]
        problem = ""
        short = on_sale and line.quantity > line_available
        if not on_sale:
            problem = _("No longer on sale.")
        elif live_price and line.quantity > terms.per_buyer_limit:
            problem = _("This live offer allows %(n)s per buyer.") % {"n": terms.per_buyer_limit}
        elif short:
            problem = (
                _("Only %(n)s left.") % {"n": line_available} if line_available else _("Sold out.")
            )
        catalogue_price = variant.price_fen if variant else 0
        price = terms.price_fen if live_price else catalogue_price
        view.lines.append(
            CartLineView(
                id=line.pk,
                sku=line.sku,
                quantity=line.quantity,
                product_id=variant.page_id if variant else None,
                product_title=variant.page.title if variant else line.sku,
                product_url=variant.page.url if on_sale else "",
                variant_label=variant.label if variant else "",
                unit_price_fen=price,
                line_total_fen=price * line.quantity,
                available=line_available,
                shipping_profile=getattr(product, "shipping_profile", ShippingProfile.AMBIENT),
                cooperative_id=getattr(product, "cooperative_id", None),
                live_session_id=line.live_session_id,
                host_id=line.host_id,
                host_rate_bp=line.host_rate_bp,
                problem=problem,
                short_by_stock=short,
                offer_id=line.offer_id if live_price else None,
                catalogue_price_fen=catalogue_price,
                offer_ended=bool(line.offer_id) and not live_price,
            )
        )
    return view


@dataclass(frozen=True)
class CartSummary:
    """The cart as the shopper sees it now, with the delivery order_place would charge."""

    view: CartView
    shipping_method: str
    shipping_fen: int
    total_fen: int

    @property
    def lines(self) -> list[CartLineView]:
        return self.view.lines

    @property
    def subtotal_fen(self) -> int:
        return self.view.subtotal_fen

    @property
    def item_count(self) -> int:
        return self.view.item_count

    @property
    def can_check_out(self) -> bool:
        return self.view.can_check_out

    @property
    def shipping_label(self) -> str:
        return ShippingMethod(self.shipping_method).label

    @property
    def needs_address(self) -> bool:
        return needs_address(self.shipping_method)


def cart_summary(*, cart: Cart | None) -> CartSummary:
    """cart_view plus the delivery method and fee: the same total order_place charges.

    An empty cart costs nothing to deliver. Exact integer fen.
    """
    view = cart_view(cart=cart)
    method = shipping_method_for(profiles=view.shipping_profiles)
    fee = shipping_fee_fen(method=method, subtotal_fen=view.subtotal_fen) if view.lines else 0
    return CartSummary(view=view, shipping_method=method, shipping_fen=fee, total_fen=view.subtotal_fen + fee)


def cart_item_count(*, cart: Cart | None) -> int:
    if cart is None or cart.pk is None:
        return 0
    return cart.lines.aggregate(total=Sum("quantity"))["total"] or 0
