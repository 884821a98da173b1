"""API v1 for buying: the cart, checkout, payment and the shopper's orders.

Each view parses the request with a serializer, makes one service call from orders/ and
returns what it gives back. Prices and totals are never read from the request. Session
authentication: DRF checks the CSRF token for logged-in users; anonymous carts live in the
session.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.buying.api import serializers
from orders.buying.api.errors import (
    CartRefused,
    CheckoutRefused,
    GatewayUnavailable,
    PaymentRefused,
    RefundRefused,
    sold_out_response,
)
from orders.buying.api.selectors import orders_of_user
from orders.buying.cart import CartError, cart_add, cart_remove, cart_set_quantity, cart_summary
from orders.buying.checkout import CheckoutError, order_place
from orders.buying.payments import PaymentError, payment_confirm_card, payment_start
from orders.buying.refunds import LineRefund, RefundError, refund_create
from orders.buying.selectors import orders_visible_to
from orders.buying.session_cart import cart_for_request, order_for_request, session_order_remember
from orders.buying.stripe_gateway import PaymentGatewayError
from orders.models import Order
from shop.api.errors import ErrorSerializer
from shop.inventory import SoldOut

ERROR = ErrorSerializer
NUMBER = OpenApiParameter(
    "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="Order number, e.g. LJ20261129-7F3K9Q."
)
LINE_ID = OpenApiParameter("line_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Cart line id.")


def _cart_response(request: Request, status_code: int = status.HTTP_200_OK) -> Response:
    summary = cart_summary(cart=cart_for_request(request))
    return Response(serializers.CartSerializer(summary).data, status=status_code)


class CartView(APIView):
    """The request's cart: the account's when logged in, else the session's."""

    @extend_schema(operation_id="cart_retrieve", tags=["cart"], responses={200: serializers.CartSerializer})
    def get(self, request: Request) -> Response:
        return _cart_response(request)


class CartLineListView(APIView):
    @extend_schema(
        operation_id="cart_lines_create", tags=["cart"],
        summary="Add units of a SKU to the cart",
        description="Adds to the existing line of the SKU if there is one. Only sku and quantity are read; "
        "prices come from the catalogue. Returns the whole cart.",
        request=serializers.CartLineAddSerializer,
        responses={201: serializers.CartSerializer, 400: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = _validated(serializers.CartLineAddSerializer, request)
        try:
            cart_add(cart=cart_for_request(request, create=True), sku=data["sku"], quantity=data["quantity"])
        except CartError as error:
            raise CartRefused(str(error)) from error
        return _cart_response(request, status.HTTP_201_CREATED)


class CartLineDetailView(APIView):
    @extend_schema(
        operation_id="cart_lines_partial_update", tags=["cart"], parameters=[LINE_ID],
        summary="Change a line's quantity (0 removes it)",
        request=serializers.CartLineUpdateSerializer,
        responses={200: serializers.CartSerializer, 400: ERROR},
    )
    def patch(self, request: Request, line_id: int) -> Response:
        data = _validated(serializers.CartLineUpdateSerializer, request)
        try:
            cart_set_quantity(cart=cart_for_request(request), line_id=line_id, quantity=data["quantity"])
        except CartError as error:
            raise CartRefused(str(error)) from error
        return _cart_response(request)

    @extend_schema(
        operation_id="cart_lines_destroy", tags=["cart"], parameters=[LINE_ID],
        summary="Remove a line", description="Idempotent: removing a line that is not there changes nothing.",
        request=None, responses={200: serializers.CartSerializer},
    )
    def delete(self, request: Request, line_id: int) -> Response:
        cart = cart_for_request(request)
        if cart is not None:
            cart_remove(cart=cart, line_id=line_id)
        return _cart_response(request)


class CheckoutView(APIView):
    @extend_schema(
        operation_id="checkout_create", tags=["orders"],
        summary="Place an order from the cart",
        description="Holds the stock for a limited time (see reserved_until) and empties the cart. "
        "A delivery address is needed unless the cart holds only service bookings.",
        request=serializers.CheckoutSerializer,
        responses={
            201: serializers.OrderSerializer,
            400: ERROR,
            409: OpenApiResponse(
                serializers.SoldOutErrorSerializer, description="Someone else bought the last units; nothing is held."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = serializers.CheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            order = order_place(cart=cart_for_request(request), contact=serializer.contact(), user=request.user)
        except SoldOut as error:
            return sold_out_response(error)
        except CheckoutError as error:
            raise CheckoutRefused(str(error)) from error
        session_order_remember(request, order.number)
        return Response(serializers.OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderListView(generics.ListAPIView):
    """The logged-in shopper's orders, newest first."""

    serializer_class = serializers.OrderSummarySerializer
    permission_classes = [IsAuthenticated]
    queryset = Order.objects.none()  # for the schema; requests use get_queryset

    @extend_schema(
        operation_id="orders_list", tags=["orders"],
        responses={200: serializers.OrderSummarySerializer(many=True), 403: ERROR},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return orders_of_user(user=self.request.user)


class OrderDetailView(APIView):
    @extend_schema(
        operation_id="orders_retrieve", tags=["orders"], parameters=[NUMBER],
        summary="An order's status, lines, totals and history",
        description="Visible to the order's account and to the session that placed it; 404 for anyone else.",
        responses={200: serializers.OrderSerializer, 404: ERROR},
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(serializers.OrderSerializer(order_for_request(request, number=number)).data)


class PaymentStartView(APIView):
    @extend_schema(
        operation_id="orders_payment_create", tags=["payments"], parameters=[NUMBER],
        summary="Start paying an order",
        description="Returns the Stripe PaymentIntent to confirm (the open one if there is one). "
        "The order becomes paid when Stripe reports the payment, never on the browser's word.",
        request=None,
        responses={200: serializers.PaymentStartSerializer, 404: ERROR, 409: ERROR, 502: ERROR},
    )
    def post(self, request: Request, number: str) -> Response:
        order = order_for_request(request, number=number)
        try:
            payment = payment_start(order=order)
        except PaymentError as error:
            raise PaymentRefused(str(error)) from error
        except PaymentGatewayError as error:
            raise GatewayUnavailable(str(error)) from error
        return Response(serializers.PaymentStartSerializer(payment).data)


class PaymentConfirmView(APIView):
    @extend_schema(
        operation_id="orders_payment_confirm_create", tags=["payments"], parameters=[NUMBER],
        summary="Confirm the payment with a card payment method",
        description="A declined card leaves the payment failed with last_error (try another card); "
        "status requires_action means the browser must complete 3-D Secure with client_secret.",
        request=serializers.PaymentConfirmSerializer,
        responses={200: serializers.PaymentResultSerializer, 400: ERROR, 404: ERROR, 409: ERROR, 502: ERROR},
    )
    def post(self, request: Request, number: str) -> Response:
        data = _validated(serializers.PaymentConfirmSerializer, request)
        order = order_for_request(request, number=number)
        try:
            # The open attempt, or a new one after a declined card.
            payment = payment_confirm_card(payment=payment_start(order=order), payment_method_id=data["payment_method_id"])
        except PaymentError as error:
            raise PaymentRefused(str(error)) from error
        except PaymentGatewayError as error:
            raise GatewayUnavailable(str(error)) from error
        return Response(serializers.PaymentResultSerializer(payment).data)


class CanRefundOrders(BasePermission):
    message = "Refunds are made by staff who may change orders."

    def has_permission(self, request, view) -> bool:
        return request.user.is_authenticated and request.user.has_perm("orders.change_order")


class OrderRefundView(APIView):
    permission_classes = [CanRefundOrders]

    @extend_schema(
        operation_id="orders_refunds_create", tags=["refunds"], parameters=[NUMBER],
        summary="Refund lines of an order (staff)",
        description="Each line is refunded by amount_fen or by quantity (that many units' share of the line, "
        "exact in fen), plus any delivery_fee_fen. The refund is recorded first and then sent to Stripe with "
        "a fixed idempotency key; 201 returns it with Stripe's answer applied. Over-refunds, unknown lines "
        "and lines of another order are 400 with error.fields naming them (lines[i], delivery_fee_fen); "
        "an order that is not paid is 409; 502 when Stripe could not be reached (the refund stays "
        "requested and is sent again later).",
        request=serializers.RefundRequestSerializer,
        responses={201: serializers.RefundSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR, 502: ERROR},
    )
    def post(self, request: Request, number: str) -> Response:
        order = get_object_or_404(orders_visible_to(user=request.user), number=number)
        data = _validated(serializers.RefundRequestSerializer, request)
        lines = [LineRefund(line_id=line["line_id"], amount_fen=line.get("amount_fen"), quantity=line.get("quantity")) for line in data["lines"]]
        try:
            refund = refund_create(
                order=order, lines=lines, delivery_fee_fen=data["delivery_fee_fen"], actor=request.user, reason=data["reason"]
            )
        except RefundError as error:
            if error.code == "not_refundable":
                raise RefundRefused(str(error)) from error
            raise exceptions.ValidationError(error.fields or {"non_field_errors": [str(error)]}) from error
        except PaymentGatewayError as error:
            raise GatewayUnavailable(str(error)) from error
        return Response(serializers.RefundSerializer(refund).data, status=status.HTTP_201_CREATED)


def _validated(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
