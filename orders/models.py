"""Accounts' shop data, carts, orders, payments, refunds and shipments.

Order lines snapshot what was bought (SKU, title, label, unit price) and the live-session
attribution as plain data, so nothing here depends on the catalogue staying as it was, and
orders know nothing of live selling beyond those numbers.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number, e.g. 13800138000."))


class CustomerProfile(models.Model):
    """What a consumer account has besides Django's user: the mobile number it can log in with."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_profile")
    mobile = models.CharField(_("mobile"), max_length=11, unique=True, null=True, blank=True, validators=[mobile_validator])

    class Meta:
        verbose_name = _("customer profile")

    def __str__(self) -> str:
        return self.mobile or str(self.user)


class Address(models.Model):
    """A delivery address in the Chinese shape: province / city / district / detail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    recipient = models.CharField(_("recipient"), max_length=40)
    mobile = models.CharField(_("mobile"), max_length=11, validators=[mobile_validator])
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=30)
    district = models.CharField(_("district"), max_length=30)
    detail = models.CharField(_("street address"), max_length=120)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-created_at"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return f"{self.recipient} {self.province}{self.city}{self.district}{self.detail}"


class Cart(models.Model):
    """A shopper's cart: an anonymous one is found through the session, a user's by the user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="cart"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cart")


class CartLine(models.Model):
    """A SKU and quantity in a cart. Prices are never stored here: they are recomputed on read.

    live_session_id / host_id / host_rate_bp carry a live-session attribution as data, offer_id
    a live-only offer.
    """

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(_("SKU"), max_length=64)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    live_session_id = models.PositiveBigIntegerField(null=True, blank=True)
    host_id = models.PositiveBigIntegerField(null=True, blank=True)
    host_rate_bp = models.PositiveIntegerField(null=True, blank=True, validators=[MaxValueValidator(10_000)])
    # A live-only offer the line was added under, as data: its price and pool come from the
    # offer provider (orders/offers.py) on every read, while the offer runs.
    offer_id = models.PositiveBigIntegerField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="orders_cartline_one_per_sku"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_cartline_quantity_positive"),
        ]


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


class ShippingMethod(models.TextChoices):
    STANDARD = "standard", _("Standard delivery")
    COLD_CHAIN = "cold_chain", _("Cold-chain delivery")
    NONE = "none", _("No delivery (service booking)")


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=24, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("mobile"), max_length=11, validators=[mobile_validator])
    recipient = models.CharField(_("recipient"), max_length=40, blank=True)
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    address_detail = models.CharField(_("street address"), max_length=120, blank=True)
    shipping_method = models.CharField(_("delivery"), max_length=12, choices=ShippingMethod.choices)
    subtotal_fen = models.BigIntegerField(_("subtotal (fen)"))
    shipping_fen = models.BigIntegerField(_("delivery (fen)"))
    total_fen = models.BigIntegerField(_("total (fen)"))
    refunded_fen = models.BigIntegerField(_("refunded (fen)"), default=0)
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT)
    placed_at = models.DateTimeField(_("placed"), auto_now_add=True)
    reserved_until = models.DateTimeField(_("stock reserved until"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    note = models.CharField(_("note to seller"), max_length=200, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(condition=Q(total_fen=models.F("subtotal_fen") + models.F("shipping_fen")), name="orders_order_total_adds_up"),
            models.CheckConstraint(condition=Q(refunded_fen__gte=0) & Q(refunded_fen__lte=models.F("total_fen")), name="orders_order_refund_within_total"),
        ]
        indexes = [models.Index(fields=["status", "placed_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def refundable_fen(self) -> int:
        return self.total_fen - self.refunded_fen

    @property
    def address_line(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.address_detail}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("shop.ProductPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cooperative = models.ForeignKey("shop.Cooperative", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(_("SKU"), max_length=64)
    product_title = models.CharField(_("product"), max_length=255)
    variant_label = models.CharField(_("variant"), max_length=60)
    unit_price_fen = models.BigIntegerField(_("unit price (fen)"))
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total_fen = models.BigIntegerField(_("line total (fen)"))
    live_session_id = models.PositiveBigIntegerField(null=True, blank=True)
    host_id = models.PositiveBigIntegerField(null=True, blank=True)
    host_rate_bp = models.PositiveIntegerField(null=True, blank=True)
    offer_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    # The split policy the line's earnings were booked with (orders.accounting.allocations
    # policy_as_json), kept so the audit can recompute the split after rates change. Empty for
    # lines booked before it was kept.
    booked_policy = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(line_total_fen=models.F("unit_price_fen") * models.F("quantity")), name="orders_line_total_adds_up"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_title} {self.variant_label} × {self.quantity}"


class OrderEvent(models.Model):
    """The order's status history: who moved it from what to what, and when."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class PaymentStatus(models.TextChoices):
    # Recorded and committed, not yet known to Stripe: its intent is created (or found again,
    # by the idempotency key) outside the transaction that recorded it.
    REQUESTED = "requested", _("Requested")
    CREATED = "created", _("Created")
    REQUIRES_ACTION = "requires_action", _("Needs authentication")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Cancelled")


def payment_idempotency_key() -> str:
    return f"payment-{uuid.uuid4().hex}"


class Payment(models.Model):
    """One Stripe PaymentIntent of an order.

    The row is written before Stripe is asked (status requested, no intent yet) with the
    idempotency key every create call for it sends, so a retry after a crash or a timeout finds
    the same intent instead of making a second one.
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    idempotency_key = models.CharField(max_length=100, unique=True, default=payment_idempotency_key)
    intent_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    client_secret = models.CharField(max_length=128, blank=True)
    amount_fen = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    last_error = models.CharField(max_length=255, blank=True)
    # When the shop learnt that the payment succeeded: of two succeeded payments of one order,
    # the earlier paid for it and the later is a duplicate to refund.
    succeeded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RefundKind(models.TextChoices):
    """What a refund gives back. Only a goods refund touches the ledger or the order's refunded amount."""

    GOODS = "goods", _("Goods and delivery")
    DUPLICATE = "duplicate", _("Duplicate payment")
    LATE = "late", _("Payment after the order ended")


def refund_key_default() -> str:
    """A unique idempotency key for a refund row made without one (services pass their own)."""
    return f"refund-{uuid.uuid4().hex}"


class Refund(models.Model):
    """Money given back on one payment, recorded before Stripe is asked (status requested).

    A goods refund names its lines (RefundLine) and any part of the delivery fee; its amount is
    their sum. A duplicate or late payment refund gives a whole payment back and has no lines.
    The idempotency key is fixed when the row is created, so every retry asks Stripe the same.
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    kind = models.CharField(_("kind"), max_length=10, choices=RefundKind.choices, default=RefundKind.GOODS)
    amount_fen = models.BigIntegerField(_("amount (fen)"), validators=[MinValueValidator(1)])
    delivery_fee_fen = models.BigIntegerField(_("delivery fee refunded (fen)"), default=0, validators=[MinValueValidator(0)])
    idempotency_key = models.CharField(max_length=100, unique=True, default=refund_key_default)
    stripe_refund_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=1), name="orders_refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(delivery_fee_fen__gte=0) & Q(delivery_fee_fen__lte=models.F("amount_fen")),
                name="orders_refund_delivery_fee_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} ({self.get_status_display()})"


class RefundLine(models.Model):
    """The part of one order line a goods refund gives back; quantity when refunded by units."""

    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="refund_lines")
    amount_fen = models.BigIntegerField(_("amount (fen)"), validators=[MinValueValidator(1)])
    quantity = models.PositiveIntegerField(_("units"), null=True, blank=True)

    class Meta:
        ordering = ["refund", "line_id"]
        constraints = [
            models.UniqueConstraint(fields=["refund", "line"], name="orders_refundline_once_per_line"),
            models.CheckConstraint(condition=Q(amount_fen__gte=1), name="orders_refundline_amount_positive"),
        ]


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(_("carrier"), max_length=40)
    tracking_number = models.CharField(_("tracking number"), max_length=60)
    shipped_at = models.DateTimeField(_("shipped"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)


class StripeEvent(models.Model):
    """Every Stripe event handled, so a replayed or duplicate delivery changes nothing twice."""

    event_id = models.CharField(max_length=64, unique=True)
    type = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)


class PeriodStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("settlement period", "Open")
    IN_REVIEW = "in_review", _("In review")
    CLOSED = "closed", _("Closed")


class SettlementPeriod(models.Model):
    """A cooperative's month (Asia/Shanghai) of allocations: open → in review → closed."""

    cooperative = models.ForeignKey("shop.Cooperative", on_delete=models.PROTECT, related_name="settlement_periods")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(_("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the period's rows when it closed (orders.accounting.checksums), so the audit
    # can tell a closed month changed even where the database's guards were lifted.
    checksum = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["cooperative", "-month"]
        verbose_name = _("settlement period")
        verbose_name_plural = _("settlement periods")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "month"], name="orders_period_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="orders_period_starts_on_the_first"),
        ]

    def __str__(self) -> str:
        return f"{self.cooperative} {self.month:%Y-%m}"


class RecipientType(models.TextChoices):
    PLATFORM = "platform", _("Platform")
    HOST = "host", _("Live host")
    LABOUR = "labour", _("Workshop labour pool")
    RESERVE = "reserve", _("Cooperative reserve")
    VILLAGE = "village", _("Village")


class EntryType(models.TextChoices):
    EARNING = "earning", _("Earned")
    REVERSAL = "reversal", _("Reversed")


class Allocation(models.Model):
    """One immutable ledger entry: a share of a paid line (or its reversal) for one recipient.

    Never updated or deleted; corrections are new entries.
    """

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="allocations")
    period = models.ForeignKey(SettlementPeriod, on_delete=models.PROTECT, related_name="allocations")
    cooperative = models.ForeignKey("shop.Cooperative", on_delete=models.PROTECT, related_name="+")
    recipient_type = models.CharField(max_length=10, choices=RecipientType.choices)
    village = models.ForeignKey("shop.Village", null=True, blank=True, on_delete=models.PROTECT, related_name="allocations")
    workshop = models.ForeignKey("shop.Workshop", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    host_id = models.PositiveBigIntegerField(null=True, blank=True)
    entry_type = models.CharField(max_length=10, choices=EntryType.choices)
    refund = models.ForeignKey(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations")
    amount_fen = models.BigIntegerField()
    booked_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["booked_at", "id"]
        indexes = [
            models.Index(fields=["period", "recipient_type"]),
            models.Index(fields=["cooperative", "booked_at"]),
            # statements: one recipient of one cooperative, by period
            models.Index(fields=["cooperative", "recipient_type", "village", "period"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(entry_type="earning", amount_fen__gte=0) | Q(entry_type="reversal", amount_fen__lte=0)),
                name="orders_allocation_sign_matches_entry",
            ),
            models.CheckConstraint(
                condition=Q(recipient_type="village", village__isnull=False) | ~Q(recipient_type="village"),
                name="orders_allocation_village_named",
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Allocations are immutable; book a correcting entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Allocations are immutable and are never deleted.")


class WorkMeasure(models.TextChoices):
    UNITS = "units", _("Units made")
    HOURS = "hours", _("Hours worked")


class WorkRecord(models.Model):
    """A participant's recorded work for a product in a month: the key to sharing labour."""

    participant = models.ForeignKey("shop.Participant", on_delete=models.PROTECT, related_name="work_records")
    product = models.ForeignKey("shop.ProductPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    quantity = models.PositiveIntegerField(_("work"), validators=[MinValueValidator(1)])
    measure = models.CharField(_("measured in"), max_length=5, choices=WorkMeasure.choices, default=WorkMeasure.UNITS)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["month", "participant_id", "id"]
        verbose_name = _("work record")
        verbose_name_plural = _("work records")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="orders_work_month_starts_on_the_first"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_work_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.month:%Y-%m} × {self.quantity} ({self.get_measure_display()})"


class LabourDistribution(models.Model):
    """A participant's share of a workshop's labour pool, booked when a period closes."""

    period = models.ForeignKey(SettlementPeriod, on_delete=models.PROTECT, related_name="labour_distributions")
    workshop = models.ForeignKey("shop.Workshop", on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey("shop.Participant", on_delete=models.PROTECT, related_name="labour_distributions")
    work = models.PositiveIntegerField()
    amount_fen = models.BigIntegerField(validators=[MinValueValidator(0)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "workshop", "participant_id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "workshop", "participant"], name="orders_distribution_once_per_close"),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="orders_distribution_not_negative"),
        ]


class PayoutRecipient(models.TextChoices):
    VILLAGE = "village", _("Village")
    PARTICIPANT = "participant", _("Participant")
    HOST = "host", _("Live host")
    RESERVE = "reserve", _("Cooperative reserve")
    PLATFORM = "platform", _("Platform")


class Payout(models.Model):
    """A bank transfer an accountant made to a recipient, recorded against their balance."""

    period = models.ForeignKey(SettlementPeriod, on_delete=models.PROTECT, related_name="payouts")
    recipient_type = models.CharField(_("recipient"), max_length=12, choices=PayoutRecipient.choices)
    village = models.ForeignKey("shop.Village", null=True, blank=True, on_delete=models.PROTECT, related_name="payouts")
    participant = models.ForeignKey("shop.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="payouts")
    host_id = models.PositiveBigIntegerField(null=True, blank=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"), validators=[MinValueValidator(1)])
    bank_reference = models.CharField(_("bank reference"), max_length=64)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gte=1), name="orders_payout_positive")]


class Accountant(models.Model):
    """A cooperative accountant (会计): sees and settles only the cooperatives listed here."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="accountant")
    cooperatives = models.ManyToManyField("shop.Cooperative", related_name="accountants", verbose_name=_("cooperatives"))

    class Meta:
        verbose_name = _("accountant")
        verbose_name_plural = _("accountants")

    def __str__(self) -> str:
        return str(self.user)
