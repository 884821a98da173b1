"""Pages that are not products: home, standard pages, stories; and the site's own settings."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from shop.blocks import StoryBlock
from shop.hooks import hook_list


class HomePage(Page):
    hero_title = models.CharField(_("hero title"), max_length=80, default="联建优品")
    hero_text = models.CharField(_("hero text"), max_length=200, blank=True)
    hero_product = models.ForeignKey(
        "shop.ProductPage", verbose_name=_("hero product"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("The product the home page leads with."),
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("hero_product")], heading=_("Hero")),
        InlinePanel("featured_products", heading=_("Featured products"), label=_("product")),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["shop.CatalogueIndexPage", "cms.StandardPage", "cms.StoryIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import home_page_context  # Wagtail page serving: selectors import this module

        context = super().get_context(request, *args, **kwargs)
        context.update(home_page_context(home=self))
        # Other apps add their own sections (live selling shows who is on air) through the
        # CMS_HOME_SECTIONS hook: functions of the request returning HTML, or "" for none.
        context["home_sections"] = [section for fn in hook_list("CMS_HOME_SECTIONS") if (section := fn(request))]
        return context


class HomeFeaturedProduct(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_products")
    product = models.ForeignKey("shop.ProductPage", verbose_name=_("product"), on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("product")]


class StandardPage(Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(StoryBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class StoryIndexPage(Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.StoryPage"]
    max_count = 1

    class Meta:
        verbose_name = _("story index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["stories"] = (
            StoryPage.objects.child_of(self).live().public().select_related("hero_image").order_by("-date", "-pk")
        )
        return context


class StorySubject(models.TextChoices):
    ALLIANCE = "alliance", _("Alliance")
    VILLAGE = "village", _("Village")
    WORKSHOP = "workshop", _("Workshop")
    COOPERATIVE = "cooperative", _("Cooperative")


class StoryPage(Page):
    """A story of an alliance, a village, a workshop or a cooperative, linked to its record."""

    date = models.DateField(_("date"))
    subject = models.CharField(_("about"), max_length=12, choices=StorySubject.choices)
    alliance = models.ForeignKey("shop.Alliance", verbose_name=_("alliance"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    village = models.ForeignKey("shop.Village", verbose_name=_("village"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    workshop = models.ForeignKey("shop.Workshop", verbose_name=_("workshop"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cooperative = models.ForeignKey("shop.Cooperative", verbose_name=_("cooperative"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    intro = models.TextField(_("introduction"))
    hero_image = models.ForeignKey("wagtailimages.Image", verbose_name=_("image"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = StreamField(StoryBlock(), verbose_name=_("body"))

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("subject")]),
        MultiFieldPanel(
            [FieldPanel("alliance"), FieldPanel("village"), FieldPanel("workshop"), FieldPanel("cooperative")],
            heading=_("What the story is about"),
        ),
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.StoryIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def clean(self) -> None:
        super().clean()
        if self.subject and getattr(self, f"{self.subject}_id", None) is None:
            raise ValidationError({self.subject: _("Choose the %(subject)s this story is about.") % {"subject": self.get_subject_display()}})


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    site_name = models.CharField(_("site name"), max_length=60, default="联建优品")
    tagline = models.CharField(_("tagline"), max_length=120, blank=True, default="宁波强村公司 · 共富好物")
    service_phone = models.CharField(_("customer service phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    icp_number = models.CharField(_("ICP licence number"), max_length=40, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("site_name"), FieldPanel("tagline")]),
        FieldRowPanel([FieldPanel("service_phone"), FieldPanel("contact_email")]),
        FieldPanel("address"),
        FieldPanel("icp_number"),
    ]

    class Meta:
        verbose_name = _("site settings")
