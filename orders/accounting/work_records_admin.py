"""Work records in the Wagtail admin: a listing, entry and editing one record at a time, and
importing many from a CSV/XLSX file.

Everything is scoped to the user's cooperatives (orders.accounting.scoping): the listing shows only their
workshops' records, another cooperative's record is a 404, and the form offers only their
participants and products. Participants appear by name and workshop only; their private
fields are never read here. The rules and the writes are in orders/accounting/work_records.py.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from orders.accounting import work_records
from orders.accounting.scoping import cooperatives_for_user
from orders.models import WorkMeasure, WorkRecord
from shop.models import Participant, ProductPage

VIEWSET_NAME = "work_records"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _keeps_accounts(user) -> bool:
    """Superusers, or users who are accountants of at least one cooperative (cached per request)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_keeps_cooperative_accounts", None)
    if cached is None:
        cached = user._keeps_cooperative_accounts = cooperatives_for_user(user=user).exists()
    return cached


class WorkRecordPermissionPolicy(ModelPermissionPolicy):
    """The model permissions, and only for someone who keeps a cooperative's accounts: an
    editor with the permissions but no cooperative has nothing to see here."""

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, action) and _keeps_accounts(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(WorkRecord, WorkRecordPermissionPolicy(WorkRecord))


# --- the form ---------------------------------------------------------------------------------


class ParticipantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, participant):
        label = f"{participant.name} · {participant.workshop.name}"
        return label if participant.is_active else f"{label} ({_('inactive')})"


class WorkRecordForm(WagtailAdminModelForm):
    participant = ParticipantChoiceField(label=gettext_lazy("Participant"), queryset=Participant.objects.none())
    product = forms.ModelChoiceField(
        label=gettext_lazy("Product"), queryset=ProductPage.objects.none(), required=False,
        help_text=gettext_lazy("The product the work was for; leave empty for work not tied to one product."),
    )
    month = forms.CharField(
        label=gettext_lazy("Month"), max_length=10,
        help_text=gettext_lazy("YYYY-MM, e.g. 2025-03."),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-03", "pattern": r"\d{4}-\d{2}"}),
    )
    measure = forms.ChoiceField(label=gettext_lazy("Measured in"), choices=WorkMeasure.choices)

    class Meta:
        model = WorkRecord
        fields = ["participant", "product", "month", "quantity", "measure"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["participant"].queryset = work_records.participants_for_user(user=user)
        self.fields["product"].queryset = work_records.products_for_user(user=user)
        if self.instance.pk and self.instance.month and not self.is_bound:
            self.initial["month"] = f"{self.instance.month:%Y-%m}"

    def clean_month(self):
        try:
            return work_records.month_parse(self.cleaned_data["month"])
        except ValueError as error:
            raise forms.ValidationError(str(error))

    def clean(self):
        cleaned = super().clean()
        participant, month = cleaned.get("participant"), cleaned.get("month")
        if participant is None or month is None or not cleaned.get("measure"):
            return cleaned
        problems = work_records.work_record_problems(
            participant=participant, product=cleaned.get("product"), month=month, measure=cleaned["measure"],
            record=self.instance if self.instance.pk else None,
        )
        for name, message in problems.items():
            self.add_error(None if name == NON_FIELD_ERRORS else name, message)
        return cleaned


# --- the listing, add, edit, delete -----------------------------------------------------------


class WorkRecordFilterSet(WagtailFilterSet):
    workshop = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Workshop"), field_name="participant__workshop", empty_label=gettext_lazy("All"),
        queryset=lambda request: work_records.workshops_for_user(user=request.user),
    )
    month = django_filters.CharFilter(
        label=gettext_lazy("Month"), method="filter_month",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-03"}),
    )
    measure = django_filters.ChoiceFilter(
        label=gettext_lazy("Measured in"), choices=WorkMeasure.choices, empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = WorkRecord
        fields = ["workshop", "month", "measure"]

    def filter_month(self, queryset, name, value):
        try:
            return queryset.filter(month=work_records.month_parse(value))
        except ValueError:
            return queryset.none()


class ScopedObjectMixin:
    """Another cooperative's record is not found (404), whatever the user's permissions
    (edit and delete views, which find their object through get_queryset)."""

    def get_queryset(self):
        return work_records.work_records_for_user(user=self.request.user)


class ScopedBaseObjectMixin:
    """The same for the history and usage views, which find it through get_base_object_queryset
    (their get_queryset lists log entries or references)."""

    def get_base_object_queryset(self):
        return work_records.work_records_for_user(user=self.request.user)


class WorkRecordIndexView(generic.IndexView):
    def get_base_queryset(self):
        return work_records.work_records_for_user(user=self.request.user)

    @cached_property
    def columns(self):
        columns = super().columns
        columns[0].label = _("Participant")
        return columns

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.user_has_permission("add") and self.user_has_permission("change"):
            buttons.append(HeaderButton(_("Import"), url=reverse(f"{VIEWSET_NAME}:import"), icon_name="upload"))
        return buttons


class WorkRecordServiceErrorMixin:
    """A refusal from the service (a period closed meanwhile, say) shows on the form."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except work_records.WorkRecordError as error:
            form.add_error(None, str(error))
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class WorkRecordCreateView(WorkRecordServiceErrorMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        record = work_records.work_record_create(
            user=self.request.user, participant=data["participant"], product=data["product"],
            month=data["month"], quantity=data["quantity"], measure=data["measure"],
        )
        log(instance=record, action="wagtail.create", user=self.request.user, title=work_records.work_record_label(record))
        return record

    def get_success_message(self, instance):
        return _("Work recorded: %(record)s.") % {"record": work_records.work_record_label(instance)}


class WorkRecordEditView(WorkRecordServiceErrorMixin, ScopedObjectMixin, generic.EditView):
    def get_page_subtitle(self):
        return work_records.work_record_label(self.object)

    def save_instance(self):
        data = self.form.cleaned_data
        # The form has copied its data onto the instance; the service re-reads the stored row.
        record = work_records.work_record_update(
            record=self.form.instance, user=self.request.user, participant=data["participant"],
            product=data["product"], month=data["month"], quantity=data["quantity"], measure=data["measure"],
        )
        log(instance=record, action="wagtail.edit", user=self.request.user, title=work_records.work_record_label(record))
        return record

    def get_success_message(self):
        return _("Work record updated: %(record)s.") % {"record": work_records.work_record_label(self.object)}


class WorkRecordDeleteView(ScopedObjectMixin, generic.DeleteView):
    def get_page_subtitle(self):
        return work_records.work_record_label(self.object)

    def form_valid(self, form):
        label = work_records.work_record_label(self.object)
        try:
            work_records.work_record_delete(record=self.object, user=self.request.user)
        except work_records.WorkRecordError as error:
            messages.error(self.request, str(error))
            return self.render_to_response(self.get_context_data())
        log(instance=self.object, action="wagtail.delete", user=self.request.user, title=label, deleted=True)
        messages.success(self.request, _("Work record deleted: %(record)s.") % {"record": label})
        return HttpResponseRedirect(self.get_success_url())


class WorkRecordHistoryView(ScopedBaseObjectMixin, HistoryView):
    pass


class WorkRecordUsageView(ScopedBaseObjectMixin, UsageView):
    pass


# --- the import -------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8 or GBK, as Excel saves it) or .xlsx, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    check_only = forms.BooleanField(
        label=gettext_lazy("Only check the file"), required=False,
        help_text=gettext_lazy("Show what would be imported without writing anything."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB. Split it by month and import each part."))
        return upload


class WorkRecordImportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Upload → every row checked → all imported, or nothing and every problem by line."""

    model = WorkRecord
    permission_required = "add"
    template_name = "orders/work_records/import.html"
    page_title = gettext_lazy("Import work records")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        # An import may replace recorded quantities, so it needs both add and change.
        if not self.user_has_permission("change"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{VIEWSET_NAME}:index"), "label": _("Work records")},
            {"url": "", "label": _("Import")},
        ]

    def get_context_data(self, form=None, result=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=form or ImportForm(),
            result=result,
            columns=[
                {"header": work_records.TEMPLATE_HEADERS[0], "key": "workshop", "required": True,
                 "help": _("The workshop's slug (e.g. changjie-sorting) or full name.")},
                {"header": work_records.TEMPLATE_HEADERS[1], "key": "participant", "required": True,
                 "help": _("The participant's name, exactly as recorded for that workshop.")},
                {"header": work_records.TEMPLATE_HEADERS[2], "key": "product", "required": False,
                 "help": _("The product's slug (from its web address); it must be sold by the workshop's cooperative. May be left empty.")},
                {"header": work_records.TEMPLATE_HEADERS[3], "key": "month", "required": True,
                 "help": _("YYYY-MM, e.g. 2025-03. A month whose settlement is closed cannot be imported.")},
                {"header": work_records.TEMPLATE_HEADERS[4], "key": "quantity", "required": True,
                 "help": _("A whole number of 1 or more.")},
                {"header": work_records.TEMPLATE_HEADERS[5], "key": "measure", "required": False,
                 "help": _("件 (units) or 小时 (hours); empty means units. Use one unit per workshop and month.")},
            ],
            template_url=reverse(f"{VIEWSET_NAME}:import_template"),
            index_url=reverse(f"{VIEWSET_NAME}:index"),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        result = work_records.work_records_import(
            file_bytes=upload.read(), file_name=upload.name, user=request.user, dry_run=form.cleaned_data["check_only"],
        )
        if result.imported:
            messages.success(
                request,
                _("Imported %(count)s rows: %(created)s new records, %(updated)s replaced.")
                % {"count": len(result.rows), "created": result.created, "updated": result.updated},
            )
        elif not result.ok:
            messages.error(request, _("Nothing was imported. Fix the rows listed below and upload the file again."))
        return self.render_to_response(self.get_context_data(form=ImportForm(), result=result))


class WorkRecordImportTemplateView(PermissionCheckedMixin, View):
    model = WorkRecord
    permission_required = "add"

    def get(self, request, *args, **kwargs):
        response = HttpResponse(work_records.import_template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="work-records-template.csv"'
        return response


# --- the viewset ------------------------------------------------------------------------------


class WorkRecordViewSet(ModelViewSet):
    model = WorkRecord
    name = VIEWSET_NAME
    url_prefix = "work-records"
    icon = "time"
    menu_label = gettext_lazy("Work records")
    menu_order = 220
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = WorkRecordIndexView
    add_view_class = WorkRecordCreateView
    edit_view_class = WorkRecordEditView
    delete_view_class = WorkRecordDeleteView
    history_view_class = WorkRecordHistoryView
    usage_view_class = WorkRecordUsageView
    list_display = [
        "participant__name",
        Column("workshop", label=gettext_lazy("Workshop"), accessor="participant.workshop.name", sort_key="participant__workshop__name"),
        Column("product", label=gettext_lazy("Product"), accessor=lambda record: record.product.title if record.product else "—"),
        Column("month", label=gettext_lazy("Month"), accessor=lambda record: f"{record.month:%Y-%m}", sort_key="month"),
        Column("quantity", label=gettext_lazy("Work"), sort_key="quantity"),
        Column("measure", label=gettext_lazy("Measured in"), accessor="get_measure_display"),
    ]
    filterset_class = WorkRecordFilterSet
    search_fields = ["participant__name"]
    search_backend_name = None
    ordering = ["-month", "participant__workshop__name", "participant__name", "pk"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return WorkRecordForm

    def get_permissions_to_register(self):
        """All four, view included: accountants may be given a read-only listing."""
        return Permission.objects.filter(content_type=ContentType.objects.get_for_model(WorkRecord))

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("import/", WorkRecordImportView.as_view(), name="import"),
            path("import/template.csv", WorkRecordImportTemplateView.as_view(), name="import_template"),
        ]


work_record_viewset = WorkRecordViewSet()


@hooks.register("register_admin_viewset")
def register_work_record_viewset():
    return work_record_viewset
