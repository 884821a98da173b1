from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from search.analysis import normalize


class Synonym(models.Model):
    """Other ways shoppers write a word products use: searching a variant finds the term.

    Applied when a query is read, not when products are indexed, so an edit takes effect on the
    next search without re-indexing.
    """

    term = models.CharField(
        _("word used in products"), max_length=60, unique=True, help_text=_("e.g. 蛭子")
    )
    variants = models.CharField(
        _("variants"), max_length=300,
        help_text=_("Other spellings, names or common mistakes, comma-separated (e.g. 蛏子). Pinyin works too."),
    )

    panels = [FieldPanel("term"), FieldPanel("variants")]

    class Meta:
        ordering = ["term"]
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")

    def __str__(self) -> str:
        return f"{', '.join(self.variant_list)} → {self.term}"

    @property
    def variant_list(self) -> list[str]:
        parts = self.variants.replace("，", ",").replace("、", ",").split(",")
        term = normalize(self.term).strip()
        variants = (normalize(part).strip() for part in parts)
        return [variant for variant in variants if variant and variant != term]

    def clean(self) -> None:
        if not self.variant_list:
            raise ValidationError({"variants": _("Enter at least one variant that differs from the word itself.")})
