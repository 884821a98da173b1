"""Serializers of the buying API. Requests carry only what the shopper chooses (SKU, quantity,
contact); every price and total in a response comes from the services, in integer fen."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.buying.cart import MAX_QUANTITY_PER_LINE
from orders.buying.checkout import Contact
from orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundLine,
    Shipment,
    ShippingMethod,
    mobile_validator,
)
from shop.api.errors import ErrorBodySerializer
from shop.api.fields import CurrencyField, FenDisplayField


class ShortageSerializer(serializers.Serializer):
    sku = serializers.CharField()
    available = serializers.IntegerField(help_text="Units that can still be bought.")


class SoldOutBodySerializer(ErrorBodySerializer):
    shortages = ShortageSerializer(many=True)


class SoldOutErrorSerializer(serializers.Serializer):
    error = SoldOutBodySerializer()


# --- cart ---------------------------------------------------------------------------------------


class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    product_id = serializers.IntegerField(allow_null=True)
    product_title = serializers.CharField()
    variant_label = serializers.CharField()
    unit_price_fen = serializers.IntegerField()
    line_total_fen = serializers.IntegerField()
    line_total_display = FenDisplayField(source="line_total_fen")
    available = serializers.IntegerField(help_text="Units that can be bought now.")
    problem = serializers.CharField(help_text="Why this line cannot be checked out now; empty when it can.")
    live_session_id = serializers.IntegerField(allow_null=True, help_text="The live session the line was bought from.")
    offer_id = serializers.IntegerField(allow_null=True, help_text="The running live offer pricing this line, if any.")
    catalogue_price_fen = serializers.IntegerField(help_text="The regular price, shown struck through beside a live price.")
    offer_ended = serializers.BooleanField(help_text="Added at a live price that has ended: the regular price applies.")


class CartSerializer(serializers.Serializer):
    lines = CartLineSerializer(many=True)
    item_count = serializers.IntegerField()
    subtotal_fen = serializers.IntegerField(help_text="Lines without a problem, at today's prices.")
    shipping_method = serializers.ChoiceField(choices=ShippingMethod.choices)
    shipping_fen = serializers.IntegerField()
    total_fen = serializers.IntegerField()
    total_display = FenDisplayField(source="total_fen")
    currency = CurrencyField()
    can_check_out = serializers.BooleanField()


class CartLineAddSerializer(serializers.Serializer):
    """What the shopper chooses. Any price sent along is not a field here, so it is ignored."""

    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY_PER_LINE, default=1)


class CartLineUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY_PER_LINE, help_text="0 removes the line.")


# --- checkout and orders ------------------------------------------------------------------------


class CheckoutSerializer(serializers.Serializer):
    """Contact and delivery address; the cart itself is the session's or the account's."""

    phone = serializers.CharField(max_length=11, validators=[mobile_validator])
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    recipient = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    province = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    district = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    address_detail = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def contact(self) -> Contact:
        return Contact(**self.validated_data)


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["id", "sku", "product_title", "variant_label", "unit_price_fen", "quantity", "line_total_fen"]


class OrderEventSerializer(serializers.ModelSerializer):
    """A status change; who made it is staff business and is not shown."""

    status = serializers.CharField(source="to_status")
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = OrderEvent
        fields = ["status", "status_label", "created_at"]

    def get_status_label(self, event: OrderEvent) -> str:
        return str(OrderStatus(event.to_status).label)


class ShipmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shipment
        fields = ["carrier", "tracking_number", "shipped_at", "delivered_at"]


class OrderSummarySerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    total_display = FenDisplayField(source="total_fen")

    class Meta:
        model = Order
        fields = [
            "number", "status", "status_label", "placed_at", "paid_at", "subtotal_fen", "shipping_fen",
            "total_fen", "refunded_fen", "total_display", "currency",
        ]


class OrderSerializer(OrderSummarySerializer):
    shipping_method_label = serializers.CharField(source="get_shipping_method_display", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    events = OrderEventSerializer(many=True, read_only=True)
    shipments = ShipmentSerializer(many=True, read_only=True)
    reserved_until = serializers.SerializerMethodField()

    class Meta(OrderSummarySerializer.Meta):
        fields = OrderSummarySerializer.Meta.fields + [
            "reserved_until", "shipping_method", "shipping_method_label", "phone", "email", "recipient",
            "province", "city", "district", "address_detail", "note", "lines", "events", "shipments",
        ]

    @extend_schema_field(
        serializers.DateTimeField(allow_null=True, help_text="Pay before this; null when not awaiting payment.")
    )
    def get_reserved_until(self, order: Order):
        if order.status != OrderStatus.PENDING_PAYMENT:
            return None
        return serializers.DateTimeField().to_representation(order.reserved_until)


# --- payment ------------------------------------------------------------------------------------


class PaymentStartSerializer(serializers.ModelSerializer):
    """What Stripe.js needs to confirm the payment in the browser."""

    publishable_key = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ["intent_id", "client_secret", "amount_fen", "currency", "publishable_key"]

    def get_publishable_key(self, payment: Payment) -> str:
        return settings.STRIPE_PUBLISHABLE_KEY


class PaymentConfirmSerializer(serializers.Serializer):
    payment_method_id = serializers.CharField(max_length=64, help_text="A payment method made by Stripe.js, e.g. pm_…")


class PaymentResultSerializer(serializers.ModelSerializer):
    """The payment after confirming. The order becomes paid when Stripe says so: poll the order."""

    # A plain string, not an enum: a second "status" enum would collide with the order's in
    # the schema's component names.
    status = serializers.CharField(help_text="One of: " + ", ".join(PaymentStatus.values) + ".")
    order_status = serializers.CharField(
        source="order.status", read_only=True,
        help_text="The order's status; it becomes paid when Stripe reports the payment.",
    )

    class Meta:
        model = Payment
        fields = ["intent_id", "client_secret", "amount_fen", "currency", "status", "last_error", "order_status"]


# --- refunds (staff) ----------------------------------------------------------------------------


class RefundLineRequestSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(help_text="The order line's id (see the order's lines).")
    amount_fen = serializers.IntegerField(required=False, min_value=1, help_text="Fen of the line to refund.")
    quantity = serializers.IntegerField(
        required=False, min_value=1, help_text="Or units to refund: their share of the line amount, exact in fen."
    )

    def validate(self, data: dict) -> dict:
        if ("amount_fen" in data) == ("quantity" in data):
            raise serializers.ValidationError("Give either amount_fen or quantity for each line.")
        return data


class RefundRequestSerializer(serializers.Serializer):
    lines = RefundLineRequestSerializer(many=True, required=False, default=list)
    delivery_fee_fen = serializers.IntegerField(min_value=0, default=0, help_text="Fen of the delivery fee to refund.")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RefundLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = RefundLine
        fields = ["line_id", "amount_fen", "quantity"]


class RefundSerializer(serializers.ModelSerializer):
    """A refund and how it stands: requested (not yet accepted by Stripe), pending, succeeded or failed."""

    kind = serializers.CharField(help_text="goods, or duplicate / late for a payment given back whole.")
    status = serializers.CharField(help_text="One of: requested, pending, succeeded, failed.")
    lines = RefundLineSerializer(many=True, read_only=True)
    order_status = serializers.CharField(source="order.status", read_only=True)
    order_refunded_fen = serializers.IntegerField(source="order.refunded_fen", read_only=True)

    class Meta:
        model = Refund
        fields = [
            "id", "kind", "status", "amount_fen", "delivery_fee_fen", "lines", "stripe_refund_id", "last_error",
            "reason", "created_at", "order_status", "order_refunded_fen",
        ]
