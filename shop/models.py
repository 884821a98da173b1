"""The catalogue and its producers.

Producers (alliances, villages, cooperatives and their shareholdings, workshops, participants,
brands) are snippets. Products are Wagtail pages: their story, images, labels and variant prices
are content, drafted and published like any page. Stock is not content: it lives in StockRecord,
keyed by the SKU code rather than by a foreign key to a variant row, so publishing, reverting or
deleting page content can never change stock or orphan its history.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from shop.blocks import StoryBlock
from shop.hooks import hook
from shop.money import format_rate
from shop.page_forms import ProductPageForm

BASIS_POINTS = 10_000
DEFAULT_VILLAGE_INCOME_TARGET_FEN = 15_000_000  # ¥150,000 a year

rate_validators = [MinValueValidator(0), MaxValueValidator(BASIS_POINTS)]
sku_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,62}[A-Z0-9]$",
    _("Use 3–64 capital letters, digits and hyphens, e.g. CJ-ZZ-500G."),
)


class SkuField(models.CharField):
    """A SKU code, stored in capitals so that "cj-zz-500g" and "CJ-ZZ-500G" are one code."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip().upper() if isinstance(value, str) else value


def _rate_check(field: str, *, nullable: bool = False) -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": BASIS_POINTS})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=f"%(app_label)s_%(class)s_{field}_range")


def platform_rate_max_bp() -> int:
    """The largest platform fee any line can be booked with: the site's, or a cooperative's or a
    product's override."""
    rates = [
        MarketSettings.objects.aggregate(top=models.Max("platform_rate_bp"))["top"],
        MarketSettings._meta.get_field("platform_rate_bp").default,
        Cooperative.objects.aggregate(top=models.Max("platform_rate_bp"))["top"],
        ProductPage.objects.aggregate(top=models.Max("platform_rate_bp"))["top"],
    ]
    return max(rate for rate in rates if rate is not None)


def host_rate_max_bp() -> int:
    """The largest host commission that can apply to a line (0 without live selling), through
    the SHOP_HOST_RATE_MAX hook."""
    largest = hook("SHOP_HOST_RATE_MAX")
    return largest() if largest else 0


def rates_total_check(*, platform_rate_bp: int, host_rate_bp: int, field: str) -> None:
    """Raise ValidationError on `field` when a platform fee and a host commission that can meet on
    one line add up to more than 100% (DESIGN.md §3: the pool is never negative)."""
    if platform_rate_bp + host_rate_bp <= BASIS_POINTS:
        return
    raise ValidationError({field: _(
        "A platform fee of %(platform)s and a host commission of %(host)s can meet on one line and come to "
        "%(total)s; together they may be at most 100%%. Lower one of them."
    ) % {
        "platform": format_rate(platform_rate_bp), "host": format_rate(host_rate_bp),
        "total": format_rate(platform_rate_bp + host_rate_bp),
    }})


class Alliance(models.Model):
    """A party-building alliance area (党建联建片区) grouping villages."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    district = models.CharField(_("district"), max_length=60, help_text=_("e.g. 象山县"))
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("district"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    township = models.CharField(_("township"), max_length=60, help_text=_("Township or subdistrict, e.g. 长街镇"))
    alliance = models.ForeignKey(
        Alliance, verbose_name=_("alliance"), on_delete=models.PROTECT, related_name="villages"
    )
    income_target_fen = models.BigIntegerField(
        _("yearly collective-income target (fen)"),
        default=DEFAULT_VILLAGE_INCOME_TARGET_FEN,
        validators=[MinValueValidator(0)],
        help_text=_("In fen: ¥150,000 is 15000000."),
    )
    description = models.TextField(_("description"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("township"), FieldPanel("alliance")]),
        FieldPanel("income_target_fen"),
        FieldPanel("description"),
        FieldPanel("image"),
    ]

    class Meta:
        ordering = ["township", "name"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="shop_village_unique_in_township"),
            models.CheckConstraint(condition=Q(income_target_fen__gte=0), name="shop_village_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.township}·{self.name}"


class Cooperative(ClusterableModel):
    """A village-strengthening company (强村公司) owned by villages through shareholdings.

    Carries the split policy of DESIGN.md §3: rates in basis points, labour in fen per unit
    (or as a rate). platform_rate_bp overrides the site's rate when set.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    alliance = models.ForeignKey(
        Alliance, verbose_name=_("alliance"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cooperatives"
    )
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    service_phone = models.CharField(_("customer service phone"), max_length=30, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("logo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    platform_rate_bp = models.PositiveIntegerField(
        _("platform fee (basis points)"), null=True, blank=True, validators=rate_validators,
        help_text=_("Leave empty to use the site's rate. 500 = 5%."),
    )
    reserve_rate_bp = models.PositiveIntegerField(
        _("cooperative reserve (basis points)"), default=1000, validators=rate_validators,
        help_text=_("Share of the cooperative pool kept as reserve before villages are paid. 1000 = 10%."),
    )
    labour_per_unit_fen = models.PositiveIntegerField(
        _("labour per unit (fen)"), default=0, help_text=_("Paid to workshop participants for each unit sold."),
    )
    labour_rate_bp = models.PositiveIntegerField(
        _("labour rate (basis points)"), null=True, blank=True, validators=rate_validators,
        help_text=_("If set, labour is this share of the line amount instead of a fixed amount per unit."),
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("short_name")]),
        FieldRowPanel([FieldPanel("slug"), FieldPanel("alliance")]),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("address"), FieldPanel("service_phone")]),
        FieldPanel("logo"),
        InlinePanel("shareholdings", heading=_("Shareholder villages"), label=_("shareholding"), min_num=1),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("platform_rate_bp"), FieldPanel("reserve_rate_bp")]),
                FieldRowPanel([FieldPanel("labour_per_unit_fen"), FieldPanel("labour_rate_bp")]),
            ],
            heading=_("Revenue split policy"),
        ),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        constraints = [
            _rate_check("platform_rate_bp", nullable=True),
            _rate_check("reserve_rate_bp"),
            _rate_check("labour_rate_bp", nullable=True),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.platform_rate_bp is not None:
            rates_total_check(platform_rate_bp=self.platform_rate_bp, host_rate_bp=host_rate_max_bp(), field="platform_rate_bp")


class Shareholding(Orderable):
    cooperative = ParentalKey(Cooperative, on_delete=models.CASCADE, related_name="shareholdings")
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="shareholdings"
    )
    shares = models.PositiveIntegerField(_("shares"), validators=[MinValueValidator(1)])

    panels = [FieldRowPanel([FieldPanel("village"), FieldPanel("shares")])]

    class Meta(Orderable.Meta):
        verbose_name = _("shareholding")
        verbose_name_plural = _("shareholdings")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "village"], name="shop_shareholding_one_per_village"),
            models.CheckConstraint(condition=Q(shares__gte=1), name="shop_shareholding_shares_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.village} × {self.shares}"


class WorkshopType(models.TextChoices):
    MATERIALS = "materials", _("Materials processing (来料加工式)")
    FACTORY = "factory", _("Factory workshop (厂房车间式)")
    SHARED_FARM = "shared_farm", _("Shared farm (共享农场式)")
    ECOMMERCE_LIVE = "ecommerce_live", _("E-commerce and live streaming (电商直播式)")
    AGRI_TOURISM = "agri_tourism", _("Agri-tourism (农旅融合式)")
    INDUSTRY = "industry", _("Industry enablement (产业赋能式)")


class Workshop(models.Model):
    """A common-prosperity workshop (共富工坊) where villagers do paid work for a cooperative."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    workshop_type = models.CharField(_("type"), max_length=20, choices=WorkshopType.choices)
    cooperative = models.ForeignKey(
        Cooperative, verbose_name=_("cooperative"), on_delete=models.PROTECT, related_name="workshops"
    )
    village = models.ForeignKey(Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="workshops")
    description = models.TextField(_("description"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("workshop_type"), FieldPanel("established_on")]),
        FieldRowPanel([FieldPanel("cooperative"), FieldPanel("village")]),
        FieldPanel("description"),
        FieldPanel("image"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return self.name


PRIVATE_PARTICIPANT_PERMISSION = "shop.view_participant_private"


class Participant(models.Model):
    """A workshop member who is paid for recorded work.

    Contact, identity and bank fields are personal data: only users holding
    PRIVATE_PARTICIPANT_PERMISSION (superusers, for now) see or edit them.
    """

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="participants"
    )
    name = models.CharField(_("name"), max_length=60)
    is_low_income = models.BooleanField(_("low-income household"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID card number"), max_length=18, blank=True)
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("workshop")]),
        FieldRowPanel([FieldPanel("is_low_income"), FieldPanel("is_active"), FieldPanel("joined_on")]),
        MultiFieldPanel(
            [
                FieldPanel("phone", permission=PRIVATE_PARTICIPANT_PERMISSION),
                FieldPanel("id_number", permission=PRIVATE_PARTICIPANT_PERMISSION),
                FieldRowPanel(
                    [
                        FieldPanel("bank_name", permission=PRIVATE_PARTICIPANT_PERMISSION),
                        FieldPanel("bank_account", permission=PRIVATE_PARTICIPANT_PERMISSION),
                    ]
                ),
            ],
            heading=_("Private details"),
            permission=PRIVATE_PARTICIPANT_PERMISSION,
        ),
    ]

    class Meta:
        ordering = ["workshop", "name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        permissions = [("view_participant_private", "Can see participants' contact, ID and bank details")]

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    aliases = models.CharField(
        _("aliases"), max_length=200, blank=True,
        help_text=_("Other ways the name is written, comma-separated (e.g. 长街蛏子 for 长街蛭子)."),
    )
    is_geographic_indication = models.BooleanField(_("geographic-indication mark"), default=False)
    gi_certificate = models.TextField(
        _("GI certificate"), blank=True, help_text=_("Registration number and wording of the certificate.")
    )
    description = models.TextField(_("description"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("logo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldPanel("aliases"),
        FieldPanel("is_geographic_indication"),
        FieldPanel("gi_certificate"),
        FieldPanel("description"),
        FieldPanel("logo"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.is_geographic_indication and not self.gi_certificate.strip():
            raise ValidationError({"gi_certificate": _("A geographic-indication mark needs its certificate text.")})

    @property
    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in self.aliases.replace("，", ",").split(",") if alias.strip()]


class Category(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("slug"), FieldPanel("sort_order")]),
        FieldPanel("description"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class ShippingProfile(models.TextChoices):
    AMBIENT = "ambient", _("Ambient")
    CHILLED = "chilled", _("Chilled cold-chain")
    SERVICE = "service", _("Service booking (nothing shipped)")


class CatalogueIndexPage(RoutablePageMixin, Page):
    """The catalogue: every product, and one listing per category at /c/<slug>/."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["shop.ProductPage"]
    max_count = 1

    class Meta:
        verbose_name = _("catalogue")

    @path("")
    def all_products(self, request):
        from shop.views import catalogue_listing  # Wagtail page serving: views import this module

        return catalogue_listing(request, page=self, category=None)

    @path("c/<slug:category_slug>/")
    def category_products(self, request, category_slug: str):
        from shop.views import catalogue_listing  # Wagtail page serving: views import this module

        return catalogue_listing(request, page=self, category=category_slug)


class ProductPageTag(TaggedItemBase):
    content_object = ParentalKey("shop.ProductPage", on_delete=models.CASCADE, related_name="tagged_items")


class ProductPage(Page):
    subtitle = models.CharField(_("subtitle"), max_length=120, blank=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences for listings."))
    story = StreamField(StoryBlock(), verbose_name=_("story"), blank=True)
    brand = models.ForeignKey(
        Brand, verbose_name=_("brand"), null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    # Nullable only so that an incomplete draft can be saved; publishing requires both.
    cooperative = models.ForeignKey(
        Cooperative, verbose_name=_("cooperative (seller)"), null=True, on_delete=models.PROTECT, related_name="products"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, on_delete=models.PROTECT, related_name="products"
    )
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    origin_villages = ParentalManyToManyField(Village, verbose_name=_("origin villages"), blank=True, related_name="products")
    shipping_profile = models.CharField(
        _("shipping profile"), max_length=10, choices=ShippingProfile.choices, default=ShippingProfile.AMBIENT
    )
    tags = ClusterTaggableManager(through=ProductPageTag, blank=True, verbose_name=_("tags"))
    platform_rate_bp = models.PositiveIntegerField(
        _("platform fee (basis points)"), null=True, blank=True, validators=rate_validators,
        help_text=_("Leave empty to use the cooperative's policy."),
    )
    reserve_rate_bp = models.PositiveIntegerField(
        _("cooperative reserve (basis points)"), null=True, blank=True, validators=rate_validators,
        help_text=_("Leave empty to use the cooperative's policy."),
    )
    labour_per_unit_fen = models.PositiveIntegerField(
        _("labour per unit (fen)"), null=True, blank=True, help_text=_("Leave empty to use the cooperative's policy.")
    )
    labour_rate_bp = models.PositiveIntegerField(
        _("labour rate (basis points)"), null=True, blank=True, validators=rate_validators,
        help_text=_("Leave empty to use the cooperative's policy."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("subtitle"),
        FieldPanel("summary"),
        InlinePanel("gallery_images", heading=_("Gallery"), label=_("image"), min_num=1),
        InlinePanel("variants", heading=_("Variants"), label=_("variant"), min_num=1),
        FieldPanel("story"),
        InlinePanel("specs", heading=_("Specifications"), label=_("row")),
    ]
    producer_panels = [
        FieldPanel("cooperative"),
        FieldPanel("brand"),
        FieldPanel("workshop"),
        FieldPanel("origin_villages"),
        FieldPanel("category"),
        FieldPanel("shipping_profile"),
        FieldPanel("tags"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("platform_rate_bp"), FieldPanel("reserve_rate_bp")]),
                FieldRowPanel([FieldPanel("labour_per_unit_fen"), FieldPanel("labour_rate_bp")]),
            ],
            heading=_("Revenue split overrides"),
        ),
    ]

    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(producer_panels, heading=_("Producer & policy")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ],
        base_form_class=ProductPageForm,
    )

    search_fields = Page.search_fields + [
        index.SearchField("subtitle"),
        index.SearchField("summary"),
        index.FilterField("category"),
        index.FilterField("cooperative"),
    ]

    parent_page_types = ["shop.CatalogueIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            _rate_check("platform_rate_bp", nullable=True),
            _rate_check("reserve_rate_bp", nullable=True),
            _rate_check("labour_rate_bp", nullable=True),
        ]

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.cooperative_id is None:
            errors["cooperative"] = _("Choose the cooperative that sells this product.")
        if self.category_id is None:
            errors["category"] = _("Choose a category.")
        if self.workshop_id and self.cooperative_id and self.workshop.cooperative_id != self.cooperative_id:
            errors["workshop"] = _("This workshop works for another cooperative.")
        if errors:
            raise ValidationError(errors)
        if self.platform_rate_bp is not None:
            rates_total_check(platform_rate_bp=self.platform_rate_bp, host_rate_bp=host_rate_max_bp(), field="platform_rate_bp")

    def get_context(self, request, *args, **kwargs):
        from shop.selectors import product_detail  # Wagtail page serving: selectors import this module

        context = super().get_context(request, *args, **kwargs)
        context.update(product_detail(product=self))
        return context


class ProductImage(Orderable):
    page = ParentalKey(ProductPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey("wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    @property
    def alt_text(self) -> str:
        return self.caption or getattr(self.image, "description", "") or self.image.title


class ProductSpec(Orderable):
    page = ParentalKey(ProductPage, on_delete=models.CASCADE, related_name="specs")
    label = models.CharField(_("name"), max_length=40)
    value = models.CharField(_("value"), max_length=200)

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("value")])]


class ProductVariant(Orderable):
    """A sellable unit of a product page: content (label, price), identified by its SKU code.

    Orders snapshot what they need and stock is keyed by the code, so removing a variant from
    a page breaks neither past orders nor stock history.
    """

    page = ParentalKey(ProductPage, on_delete=models.CASCADE, related_name="variants")
    sku = SkuField(_("SKU"), max_length=64, unique=True, validators=[sku_validator])
    label = models.CharField(_("label"), max_length=60, help_text=_("e.g. 500g 礼盒"))
    price_fen = models.BigIntegerField(
        _("price (fen)"), validators=[MinValueValidator(1)], help_text=_("In fen: ¥88.00 is 8800.")
    )
    compare_at_price_fen = models.BigIntegerField(
        _("compare-at price (fen)"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Optional original price, shown struck through; must be above the price."),
    )
    weight_g = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("sku"), FieldPanel("label")]),
        FieldRowPanel([FieldPanel("price_fen"), FieldPanel("compare_at_price_fen"), FieldPanel("weight_g")]),
        FieldPanel("is_active"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.CheckConstraint(condition=Q(price_fen__gte=1), name="shop_variant_price_positive"),
            models.CheckConstraint(
                condition=Q(compare_at_price_fen__isnull=True) | Q(compare_at_price_fen__gt=models.F("price_fen")),
                name="shop_variant_compare_at_above_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.label}"

    def clean(self) -> None:
        if self.compare_at_price_fen is not None and self.price_fen is not None:
            if self.compare_at_price_fen <= self.price_fen:
                raise ValidationError({"compare_at_price_fen": _("The compare-at price must be above the price.")})


class StockRecord(models.Model):
    """Units on hand for one SKU code. Changed only through shop.inventory."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    on_hand = models.BigIntegerField(_("on hand"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("stock record")
        verbose_name_plural = _("stock")
        constraints = [models.CheckConstraint(condition=Q(on_hand__gte=0), name="shop_stock_on_hand_not_negative")]

    def __str__(self) -> str:
        return f"{self.sku}: {self.on_hand}"


class StockMovementKind(models.TextChoices):
    RECEIVE = "receive", _("Received")
    ADJUST = "adjust", _("Adjusted")
    SELL = "sell", _("Sold")
    RETURN = "return", _("Returned")


class StockMovement(models.Model):
    """One append-only entry of a SKU's stock history; never updated or deleted."""

    record = models.ForeignKey(StockRecord, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=10, choices=StockMovementKind.choices)
    quantity = models.BigIntegerField(_("change"))
    on_hand_after = models.BigIntegerField(_("on hand after"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def save(self, *args, **kwargs) -> None:
        # The history is evidence: an entry, once written, stays as written.
        if self.pk is not None:
            raise ValidationError("Stock movements are append-only; record a new movement instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Stock movements are append-only and cannot be deleted.")


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CONVERTED = "converted", _("Sold")
    RELEASED = "released", _("Released")


class StockReservation(models.Model):
    """Units held for a checkout until expires_at.

    An active reservation past expires_at no longer holds anything: availability ignores it
    when read, before any cleanup job has marked it released.
    """

    record = models.ForeignKey(StockRecord, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    reference = models.CharField(_("reference"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=ReservationStatus.choices, default=ReservationStatus.ACTIVE)
    expires_at = models.DateTimeField(_("expires"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock reservation")
        verbose_name_plural = _("stock reservations")
        indexes = [models.Index(fields=["record", "status", "expires_at"])]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="shop_reservation_quantity_positive")]


@register_setting(icon="cog")
class MarketSettings(BaseSiteSetting):
    """Marketplace-wide commercial settings."""

    platform_rate_bp = models.PositiveIntegerField(
        _("platform fee (basis points)"), default=500, validators=rate_validators,
        help_text=_("Default platform fee on every line; a cooperative may override it. 500 = 5%."),
    )

    panels = [FieldPanel("platform_rate_bp")]

    def clean(self) -> None:
        super().clean()
        rates_total_check(platform_rate_bp=self.platform_rate_bp, host_rate_bp=host_rate_max_bp(), field="platform_rate_bp")

    class Meta:
        verbose_name = _("marketplace settings")
