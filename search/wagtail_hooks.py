"""The synonym list in the Wagtail admin, so staff can teach search new variants (蛏子 → 蛭子)."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from search.models import Synonym


class SynonymViewSet(SnippetViewSet):
    model = Synonym
    icon = "search"
    list_display = ["term", "variants"]
    search_fields = ["term", "variants"]
    add_to_admin_menu = False


register_snippet(SynonymViewSet)
