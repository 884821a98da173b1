"""The accountants' workbench in the Wagtail admin: a cooperative's months, their close, the
statements with what lies behind each figure, exports and payouts.

Scoping first: every view refuses (403) anyone who is not an accountant or a superuser, and
looks the cooperative up among cooperatives_for_user, so another cooperative's slug is a 404
whatever the rest of the URL says. Each action calls one service (orders.accounting.periods,
orders.accounting.statements) which checks the state under a row lock; the views parse, call, show what
was refused and redirect on success.
"""

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from orders.accounting import workbench_selectors as selectors
from orders.accounting.charts import Frame, column_chart, line_chart
from orders.accounting.drilldown import lines_behind
from orders.accounting.exports import ExportError, statements_table, to_csv, to_pdf, to_xlsx
from orders.accounting.months import current_month, month_format, month_next, month_parse, month_previous, months_ending
from orders.accounting.periods import PeriodError, period_close, period_reopen, period_submit_for_review
from orders.accounting.scoping import cooperatives_for_user, is_accountant
from orders.accounting.statements import (
    PayoutError,
    Recipient,
    payout_record,
    recipient_names,
    recipient_of,
    statement_for,
    statement_rows,
)
from orders.accounting.workbench_forms import CloseConfirmForm, PayoutForm
from orders.models import Allocation, LabourDistribution, PayoutRecipient, PeriodStatus, RecipientType, SettlementPeriod
from shop.models import Participant, Shareholding
from shop.money import format_fen

NAMESPACE = "workbench"


def workbench_url(name: str, cooperative=None, month: datetime.date | None = None, **kwargs) -> str:
    if cooperative is not None:
        kwargs["cooperative"] = cooperative.slug
    if month is not None:
        kwargs["month"] = month
    return reverse(f"{NAMESPACE}:{name}", kwargs=kwargs)


# The workbench's charts: wide, for a desktop screen.
CHART_FRAME = Frame(width=720, height=240, left=84, right=12, top=12, bottom=28)


def month_charts(months: list[datetime.date], villages: list, low_income: list) -> dict:
    """The overview's charts over `months`: income per village, and labour paid to low-income participants."""
    short, full = [f"{m:%y-%m}" for m in months], [month_format(m) for m in months]
    return {
        "village_chart": line_chart(
            frame=CHART_FRAME, slot_labels=short, slot_titles=full, series=[(v.name, values) for v, values in villages],
        ),
        "low_income_chart": column_chart(
            frame=CHART_FRAME, slot_labels=short, slot_titles=full, values=[m.amount_fen for m in low_income],
            notes=[_("%(count)s low-income earners") % {"count": m.earners} for m in low_income],
        ),
    }


# --- the views -------------------------------------------------------------------------------------


class WorkbenchView(WagtailAdminTemplateMixin, TemplateView):
    """Accountants and superusers only; a cooperative in the URL must be one of the user's."""

    header_icon = "table"
    page_title = gettext_lazy("Settlement")

    def dispatch(self, request, *args, **kwargs):
        if not is_accountant(user=request.user):
            # A real 403, not Wagtail's redirect to the dashboard: staff who keep no books
            # should learn why, and API-like clients (tests, scripts) see the refusal as such.
            return TemplateResponse(request, "orders/workbench/forbidden.html", status=403)
        self.cooperative = None
        if "cooperative" in kwargs:
            self.cooperative = get_object_or_404(cooperatives_for_user(user=request.user), slug=kwargs["cooperative"])
        self.month = kwargs.get("month")
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = self.breadcrumbs_items + [{"url": workbench_url("index"), "label": gettext_lazy("Settlement")}]
        if self.cooperative is not None:
            label = self.cooperative.short_name or self.cooperative.name
            items.append({"url": workbench_url("cooperative", self.cooperative), "label": label})
        if self.month is not None:
            items.append({"url": workbench_url("overview", self.cooperative, self.month), "label": month_format(self.month)})
        return items

    def get_page_subtitle(self):
        return str(self.cooperative) if self.cooperative else ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(cooperative=self.cooperative, month=self.month)
        return context


class PeriodMixin:
    """The cooperative's period of the URL's month; 404 when nothing was ever booked into it."""

    def get_period(self) -> SettlementPeriod:
        return get_object_or_404(SettlementPeriod, cooperative=self.cooperative, month=self.month)


class IndexView(WorkbenchView):
    """The cooperative picker: the user's cooperatives, each with its months."""

    template_name = "orders/workbench/index.html"

    def get(self, request, *args, **kwargs):
        slug = request.GET.get("cooperative")
        if slug:
            cooperative = get_object_or_404(cooperatives_for_user(user=request.user), slug=slug)
            try:
                month = month_parse(request.GET.get("month", ""))
            except ValueError:
                month = current_month()
            return redirect(workbench_url("overview", cooperative, month))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cooperatives = cooperatives_for_user(user=self.request.user).order_by("name").prefetch_related("settlement_periods")
        context.update(
            # each with its latest twelve months
            cooperatives=[
                (c, sorted(c.settlement_periods.all(), key=lambda p: p.month, reverse=True)[:12]) for c in cooperatives
            ],
            this_month=current_month(),
        )
        return context


class CooperativeView(WorkbenchView):
    """A cooperative without a month: its current month."""

    def get(self, request, *args, **kwargs):
        return redirect(workbench_url("overview", self.cooperative, current_month()))


class OverviewView(WorkbenchView):
    """One cooperative's month: status, totals by recipient type and village, labour pools, charts."""

    template_name = "orders/workbench/overview.html"

    def get_page_title(self):
        return _("Settlement %(month)s") % {"month": month_format(self.month)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cooperative, month = self.cooperative, self.month
        period = selectors.period_of(cooperative=cooperative, month=month)
        totals = selectors.period_totals(cooperative=cooperative, month=month)
        labels = dict(RecipientType.choices)
        months = months_ending(month, 12)
        villages = selectors.village_income_by_month(cooperative=cooperative, months=months)
        low_income = selectors.low_income_income_by_month(cooperative=cooperative, months=months)
        context.update(
            period=period,
            status_label=period.get_status_display() if period else _("Nothing booked yet"),
            by_type=[(labels[t], figures) for t, figures in totals.by_type.items()],
            by_village=totals.by_village,
            total=totals.total,
            pools=selectors.labour_pools(cooperative=cooperative, month=month),
            distributions=(
                LabourDistribution.objects.filter(period=period).select_related("workshop", "participant")
                if period and period.status == PeriodStatus.CLOSED else []
            ),
            **month_charts(months, villages, low_income),
            previous_month=month_previous(month),
            next_month=month_next(month),
            can_review=period is not None and period.status == PeriodStatus.OPEN,
            can_reopen=period is not None and period.status == PeriodStatus.IN_REVIEW,
            can_close=period is not None and period.status == PeriodStatus.IN_REVIEW,
        )
        return context


class PeriodActionView(PeriodMixin, WorkbenchView):
    """POST only: move the period with a service; its refusal is shown on the overview."""

    http_method_names = ["post"]

    def act(self, period: SettlementPeriod) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        period = self.get_period()
        try:
            message = self.act(period)
        except PeriodError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return redirect(workbench_url("overview", self.cooperative, self.month))


class ReviewView(PeriodActionView):
    def act(self, period: SettlementPeriod) -> str:
        period_submit_for_review(period=period)
        return _("%(month)s is in review: new entries go to the next open month.") % {"month": month_format(period.month)}


class ReopenView(PeriodActionView):
    def act(self, period: SettlementPeriod) -> str:
        period_reopen(period=period)
        return _("%(month)s is open again.") % {"month": month_format(period.month)}


class CloseView(PeriodMixin, WorkbenchView):
    """Shows what closing will distribute to whom; closes only once that is confirmed."""

    template_name = "orders/workbench/close.html"

    def get_page_title(self):
        return _("Close %(month)s") % {"month": month_format(self.month)}

    def get_context_data(self, form: CloseConfirmForm | None = None, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.get_period()
        context.update(period=period, preview=selectors.close_preview(period=period), form=form or CloseConfirmForm())
        return context

    def post(self, request, *args, **kwargs):
        period = self.get_period()
        form = CloseConfirmForm(request.POST)
        if form.is_valid():
            try:
                distributions = period_close(period=period, actor=request.user)
            except PeriodError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("%(month)s is closed; %(amount)s of labour went to %(count)s participants.") % {
                    "month": month_format(period.month), "amount": format_fen(sum(d.amount_fen for d in distributions)),
                    "count": len(distributions),
                })
                return redirect(workbench_url("overview", self.cooperative, self.month))
        return self.render_to_response(self.get_context_data(form=form))


class StatementsView(WorkbenchView):
    """Every recipient's statement for the month, with links to what lies behind each."""

    template_name = "orders/workbench/statements.html"

    def get_page_title(self):
        return _("Statements %(month)s") % {"month": month_format(self.month)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = statement_rows(cooperative=self.cooperative, month=self.month)
        kinds = dict(PayoutRecipient.choices)
        context.update(
            rows=[(row, kinds[row.recipient.type], selectors.recipient_key(row.recipient)) for row in rows],
            totals={
                name: sum(getattr(row.statement, f"{name}_fen") for row in rows)
                for name in ("opening", "earned", "reversed", "paid_out", "closing")
            },
            exports=[(fmt, workbench_url("export", self.cooperative, self.month, fmt=fmt)) for fmt in EXPORT_FORMATS],
        )
        return context


EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class ExportView(WorkbenchView):
    """The month's statements as a CSV, XLSX or PDF download (orders.accounting.exports)."""

    def get(self, request, *args, **kwargs):
        fmt = kwargs["fmt"]
        if fmt not in EXPORT_FORMATS:
            raise Http404(_("Exports come as csv, xlsx or pdf."))
        recipient_type = request.GET.get("type") or None
        if recipient_type is not None and recipient_type not in PayoutRecipient.values:
            raise Http404(_("Unknown recipient type."))
        table = statements_table(cooperative=self.cooperative, month=self.month, recipient_type=recipient_type)
        try:
            body = {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}[fmt](table)
        except ExportError as error:
            messages.error(request, str(error))
            return redirect(workbench_url("statements", self.cooperative, self.month))
        filename = f"statements-{self.cooperative.slug}-{self.month:%Y-%m}.{fmt}"
        response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response


class DrilldownView(WorkbenchView):
    """The ledger entries behind one recipient's statement for the month (orders.accounting.drilldown)."""

    template_name = "orders/workbench/drilldown.html"

    def _recipient(self) -> tuple[Recipient, str]:
        """The recipient of the URL, if it belongs to this cooperative; 404 otherwise.

        A participant of another cooperative must not even have their name shown here.
        """
        try:
            recipient = selectors.recipient_from_key(self.kwargs["recipient"])
        except ValueError as error:
            raise Http404(str(error)) from error
        cooperative = self.cooperative
        if recipient.type == PayoutRecipient.PARTICIPANT:
            participant = get_object_or_404(Participant, pk=recipient.participant_id, workshop__cooperative=cooperative)
            return recipient, participant.name
        if recipient.type == PayoutRecipient.VILLAGE:
            belongs = Shareholding.objects.filter(cooperative=cooperative, village_id=recipient.village_id).exists() or (
                Allocation.objects.filter(cooperative=cooperative, village_id=recipient.village_id).exists()
            )
            if not belongs:
                raise Http404(_("This village has no account with this cooperative."))
        return recipient, recipient_names([recipient])[recipient]

    def get_page_title(self):
        return _("What lies behind the statement")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        recipient, name = self._recipient()
        entry_type = self.request.GET.get("entry") or None
        if entry_type not in (None, "earning", "reversal"):
            raise Http404(_("Unknown entry type."))
        rows = lines_behind(cooperative=self.cooperative, month=self.month, recipient=recipient, entry_type=entry_type)
        context.update(
            recipient=recipient, name=name, kind=dict(PayoutRecipient.choices)[recipient.type],
            statement=statement_for(cooperative=self.cooperative, recipient=recipient, month=self.month),
            rows=rows, is_labour=recipient.type == PayoutRecipient.PARTICIPANT,
            entry_type=entry_type, total_fen=sum(r.amount_fen for r in rows),
        )
        return context


class PayoutsView(WorkbenchView):
    """Record a bank transfer against a recipient's balance; the cooperative's payouts so far."""

    template_name = "orders/workbench/payouts.html"

    def get_page_title(self):
        return _("Payouts")

    def _form(self, data=None) -> PayoutForm:
        return PayoutForm(data, recipients=selectors.payout_recipients(cooperative=self.cooperative))

    def get_context_data(self, form: PayoutForm | None = None, **kwargs):
        context = super().get_context_data(**kwargs)
        payouts = list(selectors.payouts_of(cooperative=self.cooperative)[:200])
        kinds = dict(PayoutRecipient.choices)
        keys = {
            p.pk: recipient_of(p.recipient_type, village_id=p.village_id, participant_id=p.participant_id, host_id=p.host_id)
            for p in payouts
        }
        names = recipient_names(set(keys.values()))
        context.update(
            form=form or self._form(),
            payouts=[(p, kinds.get(p.recipient_type, p.recipient_type), names.get(keys[p.pk], "")) for p in payouts],
            this_month=current_month(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                payout = payout_record(cooperative=self.cooperative, actor=request.user, **form.payout_kwargs())
            except (PayoutError, ValueError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The payout of %(amount)s (%(reference)s) is recorded.") % {
                    "amount": format_fen(payout.amount_fen), "reference": payout.bank_reference,
                })
                return HttpResponseRedirect(workbench_url("payouts", self.cooperative))
        return self.render_to_response(self.get_context_data(form=form))
