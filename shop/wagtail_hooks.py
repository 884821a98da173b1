"""The catalogue's producers and stock in the Wagtail admin, grouped under one menu."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, EditView, SnippetViewSet, SnippetViewSetGroup

from shop import admin_views
from shop.hooks import hook
from shop.models import Alliance, Brand, Category, Cooperative, Participant, StockRecord, Village, Workshop
from shop.money import format_fen, format_rate


class AllianceViewSet(SnippetViewSet):
    model = Alliance
    icon = "group"
    list_display = ["name", "district"]
    search_fields = ["name", "district"]


class VillageViewSet(SnippetViewSet):
    model = Village
    icon = "home"
    list_display = ["name", "township", "alliance"]
    list_filter = ["alliance", "township"]
    search_fields = ["name", "township"]


class CooperativeViewSet(SnippetViewSet):
    model = Cooperative
    icon = "site"
    list_display = [
        "name", "alliance",
        Column(
            "reserve_rate_bp", label=_("Cooperative reserve"),
            accessor=lambda c: format_rate(c.reserve_rate_bp), sort_key="reserve_rate_bp",
        ),
        Column(
            "labour_per_unit_fen", label=_("Labour per unit"),
            accessor=lambda c: format_fen(c.labour_per_unit_fen), sort_key="labour_per_unit_fen",
        ),
    ]
    list_filter = ["alliance"]
    search_fields = ["name", "short_name"]


class WorkshopViewSet(SnippetViewSet):
    model = Workshop
    icon = "cogs"
    list_display = ["name", "workshop_type", "cooperative", "village"]
    list_filter = ["workshop_type", "cooperative"]
    search_fields = ["name"]


def participants_visible_to(user):
    """Participants are personal data: the function named by SHOP_PARTICIPANT_SCOPE (config
    wires it to the accountants' scoping in orders) decides whom a user may see; without it,
    everyone with the snippet permissions sees all."""
    scope = hook("SHOP_PARTICIPANT_SCOPE")
    return scope(user=user) if scope else Participant.objects.all()


class ParticipantScopeMixin:
    """A participant outside the user's scope is a 404, as if it did not exist."""

    def get_object(self, queryset=None):
        participant = super().get_object(queryset)
        if not participants_visible_to(self.request.user).filter(pk=participant.pk).exists():
            raise Http404
        return participant


class ScopedParticipantEditView(ParticipantScopeMixin, EditView):
    pass


class ScopedParticipantDeleteView(ParticipantScopeMixin, DeleteView):
    pass


class ParticipantViewSet(SnippetViewSet):
    """Names and flags only in the listing; private fields show in the form to holders of the
    private-data permission (see Participant). Each user sees only the participants their
    scope allows."""

    model = Participant
    edit_view_class = ScopedParticipantEditView
    delete_view_class = ScopedParticipantDeleteView

    def get_queryset(self, request):
        return participants_visible_to(request.user)

    icon = "user"
    list_display = ["name", "workshop", "is_low_income", "is_active"]
    list_filter = ["workshop", "is_low_income", "is_active"]
    search_fields = ["name"]


class BrandViewSet(SnippetViewSet):
    model = Brand
    icon = "tag"
    list_display = ["name", "is_geographic_indication", "aliases"]
    list_filter = ["is_geographic_indication"]
    search_fields = ["name", "aliases"]


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    list_display = ["name", "name_en", "slug", "sort_order"]
    search_fields = ["name", "name_en"]


class ProducerGroup(SnippetViewSetGroup):
    menu_label = _("Producers")
    menu_icon = "group"
    menu_order = 200
    items = (
        AllianceViewSet,
        VillageViewSet,
        CooperativeViewSet,
        WorkshopViewSet,
        ParticipantViewSet,
        BrandViewSet,
        CategoryViewSet,
    )


register_snippet(ProducerGroup)


class StockPermissionPolicy(ModelPermissionPolicy):
    """Nobody deletes a stock record: a SKU's history is kept for as long as the shop runs."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(StockRecord, StockPermissionPolicy(StockRecord))


class StockViewSet(ModelViewSet):
    """Stock levels with search and filters; a SKU's page records changes and shows history."""

    model = StockRecord
    icon = "clipboard-list"
    menu_label = _("Stock")
    menu_order = 210
    add_to_admin_menu = True
    name = "shop_stock"
    list_display = ["sku", "on_hand", "updated_at"]
    list_filter = ["on_hand"]
    search_fields = ["sku"]
    form_fields: list[str] = []
    copy_view_enabled = False

    @property
    def add_view(self):
        return admin_views.StockReceiveView.as_view()

    @property
    def edit_view(self):
        return admin_views.StockRecordView.as_view()



stock_viewset = StockViewSet()


@hooks.register("register_admin_viewset")
def register_stock_viewset():
    return stock_viewset
