"""Limited offers priced outside the catalogue (live-only prices), seen from the cart.

Orders knows nothing of live selling: a cart line may carry an offer id as data, and an offer
provider named by the ORDERS_OFFER_PROVIDER setting says, on every read, what that offer costs
and how many units it has left, and claims units at checkout inside the order's transaction.
Without a provider, offer ids are ignored and lines cost the catalogue price.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser

from shop.hooks import hook


@dataclass(frozen=True)
class OfferTerms:
    """An offer as the cart uses it. Inactive terms mean the catalogue price applies again."""

    offer_id: int
    sku: str
    price_fen: int
    remaining: int
    per_buyer_limit: int
    active: bool


@dataclass(frozen=True)
class OfferClaim:
    offer_id: int
    sku: str
    quantity: int


@dataclass(frozen=True)
class Buyer:
    """Who is buying, for per-buyer limits: the account, or the phone number of a guest."""

    user_id: int | None
    phone: str


class OfferProvider(Protocol):
    def terms(self, offer_ids: Iterable[int]) -> dict[int, OfferTerms]: ...

    def bought(self, *, offer_id: int, buyer: Buyer) -> int: ...

    def claim(self, *, claims: list[OfferClaim], buyer: Buyer, reference: str) -> None:
        """Take units from the offers' pools for order `reference`, inside its transaction.

        Raises shop.inventory.SoldOut (pool too small) or OfferLimitReached.
        """


class OfferLimitReached(Exception):
    """The buyer already has as many units of this offer as it allows; the message says so."""


class _NoOffers:
    def terms(self, offer_ids: Iterable[int]) -> dict[int, OfferTerms]:
        return {}

    def bought(self, *, offer_id: int, buyer: Buyer) -> int:
        return 0

    def claim(self, *, claims: list[OfferClaim], buyer: Buyer, reference: str) -> None:
        return None


def offer_provider() -> OfferProvider:
    return hook("ORDERS_OFFER_PROVIDER", _NoOffers)()


def buyer_for(*, user: AbstractBaseUser | None, phone: str = "") -> Buyer:
    user_id = user.pk if user is not None and user.is_authenticated else None
    return Buyer(user_id=user_id, phone=phone.strip())
