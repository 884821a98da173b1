"""API v1 for cooperative accountants: settlement periods, their totals and statements, review
and close.

Scoped like the workbench: only accountants (and superusers) get past the permission check
(403 otherwise), and a period of a cooperative the user does not keep the books of is a 404,
exactly as if it did not exist. Session authentication, so DRF checks the CSRF token on the
actions. Each action calls one service of orders.accounting.periods; its refusal is a 409.
"""

import datetime
from collections.abc import Callable

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.accounting import workbench_selectors as selectors
from orders.accounting.api import serializers as serializers
from orders.accounting.months import MAX_YEAR, MIN_YEAR
from orders.accounting.periods import PeriodError, period_close, period_reopen, period_submit_for_review
from orders.accounting.scoping import cooperatives_for_user, is_accountant
from orders.accounting.statements import payouts_available_fen, statement_rows
from orders.models import PeriodStatus, SettlementPeriod
from shop.api.errors import ErrorSerializer
from shop.models import Cooperative

TAGS = ["accounting"]
PERIOD_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Settlement period id.")


class IsAccountant(BasePermission):
    message = "Only a cooperative's accountants (and platform admins) may see its accounts."

    def has_permission(self, request, view) -> bool:
        return is_accountant(user=request.user)


class PeriodRefused(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "period_error"
    default_detail = "The period cannot move that way now."


def _periods(request: Request):
    return SettlementPeriod.objects.filter(cooperative__in=cooperatives_for_user(user=request.user)).select_related("cooperative")


def _period(request: Request, pk: int) -> SettlementPeriod:
    return get_object_or_404(_periods(request), pk=pk)


class AccountingView(APIView):
    permission_classes = [IsAccountant]


class PeriodListView(generics.ListAPIView):
    """The periods of the cooperatives the user keeps the books of, newest month first."""

    permission_classes = [IsAccountant]
    serializer_class = serializers.PeriodSerializer
    queryset = SettlementPeriod.objects.none()  # for the schema; requests use get_queryset
    filter_backends: list = []

    @extend_schema(
        operation_id="accounting_periods_list", tags=TAGS,
        parameters=[
            OpenApiParameter("cooperative", OpenApiTypes.STR, description="A cooperative's slug; 404 if it is not one of yours."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=PeriodStatus.values, description="Only periods in this status."),
        ],
        responses={200: serializers.PeriodSerializer(many=True), 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        periods = _periods(self.request).order_by("cooperative__name", "-month")
        slug = self.request.query_params.get("cooperative")
        if slug:
            cooperative = cooperatives_for_user(user=self.request.user).filter(slug=slug).first()
            if cooperative is None:
                raise NotFound("No cooperative of yours has this slug.")
            periods = periods.filter(cooperative=cooperative)
        wanted = self.request.query_params.get("status")
        if wanted:
            periods = periods.filter(status=wanted)
        return periods


def _detail(period: SettlementPeriod) -> dict:
    totals = selectors.period_totals(cooperative=period.cooperative, month=period.month)

    def figures(f: selectors.Figures) -> dict:
        return {"earned_fen": f.earned_fen, "reversed_fen": f.reversed_fen, "net_fen": f.net_fen}

    body = {
        "period": period,
        "totals": figures(totals.total),
        "by_recipient_type": [{"recipient_type": t, **figures(f)} for t, f in totals.by_type.items()],
        "by_village": [
            {"village_id": v.pk, "village_slug": v.slug, "village_name": str(v), **figures(f)} for v, f in totals.by_village
        ],
        "labour_pools": [
            {"workshop_id": p.workshop.pk, "workshop_name": p.workshop.name, "booked_fen": p.booked_fen,
             "balance_fen": p.balance_fen, "work": p.work}
            for p in selectors.labour_pools(cooperative=period.cooperative, month=period.month)
        ],
    }
    return serializers.PeriodDetailSerializer(body).data


class PeriodDetailView(AccountingView):
    @extend_schema(
        operation_id="accounting_periods_retrieve", tags=TAGS, parameters=[PERIOD_ID],
        summary="A period with its totals by recipient type and village, and the labour pools",
        responses={200: serializers.PeriodDetailSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, id: int) -> Response:
        return Response(_detail(_period(request, id)))


def _statements(*, cooperative: Cooperative, month: datetime.date) -> dict:
    """The rows of orders.accounting.statements.statement_rows, and their totals, with what a
    payout booked into this month can be (nothing once the month is no longer open)."""
    statement = statement_rows(cooperative=cooperative, month=month)
    status = SettlementPeriod.objects.filter(cooperative=cooperative, month=month).values_list("status", flat=True).first()
    payable = (
        payouts_available_fen(cooperative=cooperative, recipients=[row.recipient for row in statement], month=month)
        if status in (None, PeriodStatus.OPEN) else {}
    )
    rows = [
        {
            "recipient_type": row.recipient.type, "recipient_id": row.recipient_id, "name": row.name,
            "opening_fen": row.statement.opening_fen, "earned_fen": row.statement.earned_fen,
            "reversed_fen": row.statement.reversed_fen, "paid_out_fen": row.statement.paid_out_fen,
            "closing_fen": row.statement.closing_fen, "payable_fen": max(payable.get(row.recipient, 0), 0),
        }
        for row in statement
    ]
    names = ("opening_fen", "earned_fen", "reversed_fen", "paid_out_fen", "closing_fen")
    return {"rows": rows, "totals": {n: sum(r[n] for r in rows) for n in names}}


class PeriodStatementsView(AccountingView):
    @extend_schema(
        operation_id="accounting_periods_statements_retrieve", tags=TAGS, parameters=[PERIOD_ID],
        summary="Every recipient's statement for the period's month",
        description="The rows of the statement export: opening balance, earned, reversed, paid out and closing "
        "balance per village, participant, host, the reserve and the platform, with totals.",
        responses={200: serializers.PeriodStatementsSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, id: int) -> Response:
        period = _period(request, id)
        body = {"period": period, **_statements(cooperative=period.cooperative, month=period.month)}
        return Response(serializers.PeriodStatementsSerializer(body).data)


class MonthStatementsView(AccountingView):
    @extend_schema(
        operation_id="accounting_cooperative_month_statements_retrieve", tags=TAGS,
        parameters=[
            OpenApiParameter("cooperative", OpenApiTypes.STR, OpenApiParameter.PATH, description="A cooperative's slug."),
            OpenApiParameter(
                "month", OpenApiTypes.STR, OpenApiParameter.PATH,
                description=f"YYYY-MM, an Asia/Shanghai month from {MIN_YEAR} to {MAX_YEAR}; any other is a 404.",
            ),
        ],
        summary="Every recipient's statement for a cooperative's month, whether or not anything was booked in it",
        responses={200: serializers.MonthStatementsSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, cooperative: str, month: datetime.date) -> Response:
        found = get_object_or_404(cooperatives_for_user(user=request.user), slug=cooperative)
        body = {"cooperative": found.slug, "month": month, **_statements(cooperative=found, month=month)}
        return Response(serializers.MonthStatementsSerializer(body).data)


def _action_schema(operation_id: str, summary: str, response=serializers.PeriodSerializer):
    return extend_schema(
        operation_id=operation_id, tags=TAGS, parameters=[PERIOD_ID], summary=summary, request=None,
        responses={200: response, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )


def _period_moved(request: Request, id: int, move: Callable[..., SettlementPeriod]) -> Response:
    """The period after move(period=...); a PeriodError answers 409 with its message."""
    try:
        period = move(period=_period(request, id))
    except PeriodError as error:
        raise PeriodRefused(str(error)) from error
    return Response(serializers.PeriodSerializer(period).data)


class PeriodReviewView(AccountingView):
    @_action_schema("accounting_periods_review_create", "Put an open period in review")
    def post(self, request: Request, id: int) -> Response:
        return _period_moved(request, id, period_submit_for_review)


class PeriodReopenView(AccountingView):
    @_action_schema("accounting_periods_reopen_create", "Reopen a period in review")
    def post(self, request: Request, id: int) -> Response:
        return _period_moved(request, id, period_reopen)


class PeriodCloseView(AccountingView):
    @_action_schema(
        "accounting_periods_close_create", "Close a period in review: share the labour pools, lock the month",
        serializers.PeriodClosedSerializer,
    )
    def post(self, request: Request, id: int) -> Response:
        period = _period(request, id)
        try:
            distributions = period_close(period=period, actor=request.user)
        except PeriodError as error:
            raise PeriodRefused(str(error)) from error
        period.refresh_from_db()
        body = {"period": period, "distributions": sorted(distributions, key=lambda d: (d.workshop_id, d.participant_id))}
        return Response(serializers.PeriodClosedSerializer(body).data)
