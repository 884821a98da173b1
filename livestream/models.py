"""Live selling: hosts, sessions, the products and live-only offers they sell, pins and chat.

Times are UTC. A session's pin timeline is kept as offsets from the stream's start, so a replay
shows the right product at the right moment. Money is integer fen.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable

from shop.models import platform_rate_max_bp, rates_total_check
from shop.money import format_fen


def new_stream_key() -> str:
    """A stream key hard to guess: 32 URL-safe characters."""
    return secrets.token_urlsafe(24)


class Host(models.Model):
    """Someone who sells on air, paid a commission on what is bought from their sessions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="live_host"
    )
    display_name = models.CharField(_("display name"), max_length=60)
    avatar = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("avatar"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    workshop = models.ForeignKey(
        "shop.Workshop", verbose_name=_("workshop"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="hosts",
    )
    commission_rate_bp = models.PositiveIntegerField(
        _("commission rate (basis points)"), default=500, validators=[MaxValueValidator(10_000)],
        help_text=_("500 is 5%. A session can override it."),
    )
    bio = models.TextField(_("introduction"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("user"), FieldPanel("display_name")]),
        FieldRowPanel([FieldPanel("workshop"), FieldPanel("commission_rate_bp")]),
        FieldPanel("avatar"),
        FieldPanel("bio"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("host")
        verbose_name_plural = _("hosts")
        constraints = [
            models.CheckConstraint(condition=Q(commission_rate_bp__lte=10_000), name="livestream_host_rate_max"),
        ]

    def clean(self) -> None:
        super().clean()
        if isinstance(self.commission_rate_bp, int):
            rates_total_check(platform_rate_bp=platform_rate_max_bp(), host_rate_bp=self.commission_rate_bp,
                              field="commission_rate_bp")

    def __str__(self) -> str:
        return self.display_name


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")


class LiveSession(ClusterableModel):
    """One broadcast: scheduled, then live while the media server receives the stream, then ended."""

    host = models.ForeignKey(Host, verbose_name=_("host"), on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    cover = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("cover"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled_start = models.DateTimeField(_("scheduled start"))
    scheduled_end = models.DateTimeField(_("scheduled end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED, db_index=True
    )
    stream_key = models.CharField(_("stream key"), max_length=64, unique=True, default=new_stream_key)
    playback_url = models.CharField(
        _("playback (HLS) URL"), max_length=500, blank=True,
        help_text=_("Leave empty to use the media server's HLS address for this stream key."),
    )
    replay_url = models.CharField(_("replay URL"), max_length=500, blank=True)
    commission_rate_bp = models.PositiveIntegerField(
        _("commission rate override (basis points)"), null=True, blank=True, validators=[MaxValueValidator(10_000)],
        help_text=_("Empty: the host's own rate."),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Ended by the host (final) rather than by the stream stopping (the encoder may come back).
    ended_by_host = models.BooleanField(default=False, editable=False)
    likes = models.PositiveBigIntegerField(_("likes"), default=0)
    peak_viewers = models.PositiveIntegerField(_("peak viewers"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("host"),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("cover"),
        FieldRowPanel([FieldPanel("scheduled_start"), FieldPanel("scheduled_end")]),
        FieldPanel("commission_rate_bp"),
        FieldPanel("playback_url"),
        FieldPanel("replay_url"),
        InlinePanel("session_products", label=_("Products to sell")),
    ]

    class Meta:
        ordering = ["-scheduled_start", "-id"]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        indexes = [models.Index(fields=["status", "scheduled_start"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("livestream:room", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if isinstance(self.commission_rate_bp, int):
            rates_total_check(platform_rate_bp=platform_rate_max_bp(), host_rate_bp=self.commission_rate_bp,
                              field="commission_rate_bp")

    @property
    def effective_rate_bp(self) -> int:
        """The commission rate booked for lines bought from this session."""
        return self.commission_rate_bp if self.commission_rate_bp is not None else self.host.commission_rate_bp


class SessionProduct(Orderable):
    """A product the session will sell, in the order the host plans to show them."""

    session = ParentalKey(LiveSession, on_delete=models.CASCADE, related_name="session_products")
    product = models.ForeignKey(
        "shop.ProductPage", verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("product")]

    class Meta(Orderable.Meta):
        verbose_name = _("session product")
        verbose_name_plural = _("session products")
        constraints = [
            models.UniqueConstraint(fields=["session", "product"], name="livestream_session_product_once"),
        ]


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Not started")
    ACTIVE = "active", _("On now")
    ENDED = "ended", _("Ended")


class LiveOffer(models.Model):
    """A live-only price on one variant for a limited pool of units, while the offer runs.

    The pool is carved out of stock when the offer starts (a stock hold under `stock_reference`),
    so shoppers outside the room cannot take those units; `claimed` counts units bought at the
    offer price and never exceeds `quantity`.
    """

    session = models.ForeignKey(LiveSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="offers")
    sku = models.CharField(_("SKU"), max_length=64)
    price_fen = models.BigIntegerField(_("live price (fen)"), validators=[MinValueValidator(1)])
    quantity = models.PositiveIntegerField(_("units offered"), validators=[MinValueValidator(1)])
    claimed = models.PositiveIntegerField(_("units claimed"), default=0)
    per_buyer_limit = models.PositiveIntegerField(_("limit per buyer"), default=2, validators=[MinValueValidator(1)])
    duration_seconds = models.PositiveIntegerField(
        _("duration (seconds)"), null=True, blank=True,
        help_text=_("Empty: until sold out or stopped by the host."),
    )
    status = models.CharField(_("status"), max_length=8, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    starts_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("live offer")
        verbose_name_plural = _("live offers")
        constraints = [
            models.CheckConstraint(condition=Q(claimed__lte=models.F("quantity")), name="livestream_offer_never_oversold"),
            models.CheckConstraint(condition=Q(price_fen__gte=1), name="livestream_offer_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {format_fen(self.price_fen)} × {self.quantity}"

    @property
    def remaining(self) -> int:
        return self.quantity - self.claimed

    @property
    def stock_reference(self) -> str:
        return f"live-offer-{self.pk}"


class PinEvent(models.Model):
    """A product pinned (or the pin cleared, product empty) at a moment of the stream."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="pins")
    product = models.ForeignKey(
        "shop.ProductPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    offset_seconds = models.PositiveIntegerField(help_text="Seconds after the stream started.")

    class Meta:
        ordering = ["at", "id"]


class Comment(models.Model):
    """A chat message in a session. Removed messages are kept (moderation is auditable)."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=60)
    body = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]


class Mute(models.Model):
    """A viewer the host has silenced in one session."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="mutes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    muted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="livestream_mute_once")]


class ViewerSample(models.Model):
    """The number of viewers connected at a moment: the report's peak and average come from these."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="viewer_samples")
    at = models.DateTimeField()
    viewers = models.PositiveIntegerField()

    class Meta:
        ordering = ["at", "id"]


class Reminder(models.Model):
    """A viewer asked to be told when a scheduled session starts."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("email"))
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "email"], name="livestream_reminder_once")]
