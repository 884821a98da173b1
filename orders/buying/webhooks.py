"""POST /stripe/webhook/: verify, hand to the payments service, answer Stripe."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.buying import stripe_gateway
from orders.buying.payments import stripe_event_handle

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = stripe_gateway.event_construct(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except stripe_gateway.BadSignature as error:
        logger.warning("Rejected a Stripe webhook: %s", error)
        return JsonResponse({"error": {"code": "bad_signature", "message": "The signature does not verify.", "fields": {}}}, status=400)
    outcome = stripe_event_handle(event=event)
    return JsonResponse({"received": True, "outcome": outcome})
