"""Delivery options and their fees, from the shipping profiles of what is in the cart.

Chilled goods travel cold-chain, so a cart holding any of them ships cold-chain as a whole;
a cart of service bookings only (study tours, homestays) ships nothing.
"""

from django.conf import settings

from orders.models import ShippingMethod
from shop.models import ShippingProfile

STANDARD_FEE_FEN = getattr(settings, "SHIPPING_STANDARD_FEE_FEN", 1000)
COLD_CHAIN_FEE_FEN = getattr(settings, "SHIPPING_COLD_CHAIN_FEE_FEN", 2500)
FREE_STANDARD_FROM_FEN = getattr(settings, "SHIPPING_FREE_STANDARD_FROM_FEN", 9900)


def shipping_method_for(*, profiles: set[str]) -> str:
    if ShippingProfile.CHILLED in profiles:
        return ShippingMethod.COLD_CHAIN
    if profiles and profiles <= {ShippingProfile.SERVICE}:
        return ShippingMethod.NONE
    return ShippingMethod.STANDARD


def shipping_fee_fen(*, method: str, subtotal_fen: int) -> int:
    """Standard delivery is free from ¥99; cold-chain always costs its fee; services nothing."""
    if method == ShippingMethod.NONE:
        return 0
    if method == ShippingMethod.COLD_CHAIN:
        return COLD_CHAIN_FEE_FEN
    return 0 if subtotal_fen >= FREE_STANDARD_FROM_FEN else STANDARD_FEE_FEN


def needs_address(method: str) -> bool:
    return method != ShippingMethod.NONE
