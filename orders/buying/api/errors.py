"""The buying API's refusals, rendered in the house error shape by config/api_errors.py."""

from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from shop.inventory import SoldOut


class CartRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "cart_error"
    default_detail = "The cart cannot be changed that way."


class CheckoutRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "checkout_error"
    default_detail = "The order cannot be placed."


class PaymentRefused(APIException):
    """The order is not in a state to pay (already paid, expired, cancelled, …)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "payment_error"
    default_detail = "This order cannot be paid now."


class GatewayUnavailable(APIException):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = "payment_gateway_error"
    default_detail = "The payment provider could not be reached; try again in a moment."


class RefundRefused(APIException):
    """The order cannot be refunded in its state (not paid, say)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "not_refundable"
    default_detail = "This order cannot be refunded now."


def sold_out_response(error: SoldOut) -> Response:
    """409 in the house shape, with what is short: {"error": {..., "shortages": [{sku, available}]}}.

    Built here rather than by the exception handler, which has no place for the shortages.
    """
    body = {
        "code": "sold_out",
        "message": str(error),
        "fields": {},
        "shortages": [{"sku": sku, "available": left} for sku, left in error.shortages.items()],
    }
    return Response({"error": body}, status=status.HTTP_409_CONFLICT)
