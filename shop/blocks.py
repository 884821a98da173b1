"""StreamField blocks for stories: product stories here, and the cms pages reuse them."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(required=False, label=_("attribution"))

    class Meta:
        icon = "openquote"
        template = "shop/blocks/quote.html"


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("image"))
    caption = blocks.CharBlock(required=False, label=_("caption"))

    class Meta:
        icon = "image"
        template = "shop/blocks/figure.html"


class FactBlock(blocks.StructBlock):
    """A headline number such as "3,200 亩" or "68 位村民" with what it counts."""

    value = blocks.CharBlock(label=_("figure"))
    label = blocks.CharBlock(label=_("what it counts"))

    class Meta:
        icon = "pick"
        template = "shop/blocks/fact.html"


class StoryBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", icon="title", template="shop/blocks/heading.html", label=_("heading"))
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"], label=_("paragraph"))
    figure = FigureBlock(label=_("figure"))
    quote = QuoteBlock(label=_("quote"))
    facts = blocks.ListBlock(FactBlock(), icon="list-ul", template="shop/blocks/facts.html", label=_("facts"))
