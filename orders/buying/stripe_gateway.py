"""The only module that talks to Stripe (or localstripe, its emulator, when offline).

Every create call carries an idempotency key, so a retried request never charges or refunds
twice. Amounts are integer fen; Stripe's zero-decimal rules do not apply to CNY, so a fen is
Stripe's minor unit as is.
"""

from dataclasses import dataclass

import stripe
from django.conf import settings


class PaymentGatewayError(Exception):
    """Stripe refused or could not be reached; the message is safe to show staff."""


class CardDeclined(PaymentGatewayError):
    pass


class GatewayUnreachable(PaymentGatewayError):
    """No answer from Stripe (network, timeout, rate limit, server error, a request with the same
    key still in flight): the request may or may not have been applied. Retry with the same key."""


class BadSignature(Exception):
    """A webhook whose signature does not verify."""


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    client_secret: str
    amount_fen: int
    currency: str
    last_error: str = ""


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount_fen: int


def ensure_configured() -> None:
    """Raise PaymentGatewayError when no Stripe key is set, before anything is recorded."""
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentGatewayError("Payments are not configured: set STRIPE_SECRET_KEY (and STRIPE_API_BASE for localstripe).")


def _client() -> stripe.StripeClient:
    ensure_configured()
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=base, max_network_retries=2)


def _intent(obj) -> Intent:
    obj = obj.to_dict() if hasattr(obj, "to_dict") else obj
    error = obj.get("last_payment_error") or {}
    return Intent(
        id=obj["id"], status=obj["status"], client_secret=obj.get("client_secret") or "",
        amount_fen=obj["amount"], currency=obj["currency"].upper(),
        last_error=(error.get("message") or "") if isinstance(error, dict) else str(error),
    )


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.CardError as error:
        raise CardDeclined(error.user_message or str(error)) from error
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError, stripe.IdempotencyError) as error:
        # APIError is Stripe's own 5xx: like a timeout, the outcome is unknown.
        raise GatewayUnreachable(str(error)) from error
    except stripe.StripeError as error:
        raise PaymentGatewayError(error.user_message or str(error)) from error


def payment_method_types() -> list[str]:
    return list(getattr(settings, "STRIPE_PAYMENT_METHOD_TYPES", ["card"]))


def intent_create(*, amount_fen: int, currency: str, order_number: str, idempotency_key: str) -> Intent:
    params = {
        "amount": amount_fen,
        "currency": currency.lower(),
        "payment_method_types": payment_method_types(),
        "metadata": {"order_number": order_number},
    }
    obj = _call(_client().v1.payment_intents.create, params=params, options={"idempotency_key": idempotency_key})
    return _intent(obj)


def intent_retrieve(intent_id: str) -> Intent:
    return _intent(_call(_client().v1.payment_intents.retrieve, intent_id))


def intent_confirm(*, intent_id: str, payment_method_id: str, idempotency_key: str) -> Intent:
    """Attach a payment method made in the browser and confirm on the server.

    Raises CardDeclined when the card is refused. The intent may come back requiring action
    (3-D Secure), which the browser then completes.
    """
    client = _client()
    _call(client.v1.payment_intents.update, intent_id, params={"payment_method": payment_method_id},
          options={"idempotency_key": f"{idempotency_key}-attach"})
    obj = _call(client.v1.payment_intents.confirm, intent_id, options={"idempotency_key": f"{idempotency_key}-confirm"})
    return _intent(obj)


def intent_cancel(intent_id: str) -> Intent:
    return _intent(_call(_client().v1.payment_intents.cancel, intent_id))


def refund_create(*, intent_id: str, amount_fen: int, idempotency_key: str) -> RefundResult:
    obj = _call(
        _client().v1.refunds.create,
        params={"payment_intent": intent_id, "amount": amount_fen},
        options={"idempotency_key": idempotency_key},
    )
    return RefundResult(id=obj["id"], status=obj["status"], amount_fen=obj["amount"])


def event_construct(*, payload: bytes, signature: str) -> dict:
    """Verify a webhook's signature and return the event. Raises BadSignature."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise BadSignature("STRIPE_WEBHOOK_SECRET is not set; webhooks cannot be verified.")
    try:
        event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise BadSignature(str(error)) from error
    return event.to_dict() if hasattr(event, "to_dict") else dict(event)


def emulator_in_use() -> bool:
    """True when the API base points at localstripe rather than Stripe."""
    return bool(settings.STRIPE_API_BASE)

