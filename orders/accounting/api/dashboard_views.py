"""API v1 of the public common-prosperity dashboard: the figures of /gongfu/ as JSON.

Public and read-only: no authentication, no personal data (see orders.accounting.dashboard for what each
figure means and when one is suppressed). A year that is not a number we report on is a 400
in the house error shape.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.accounting.dashboard import MIN_GROUP_SIZE, Dashboard, dashboard_for_year
from orders.accounting.months import MIN_YEAR, current_year, month_format
from shop.api.errors import ErrorSerializer
from shop.api.fields import CurrencyField

TAGS = ["dashboard"]


class DashboardQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False)

    def validate_year(self, value: int) -> int:
        latest = current_year()
        if not MIN_YEAR <= value <= latest:
            raise serializers.ValidationError(f"Ask for a year from {MIN_YEAR} to {latest}.")
        return value


class DashboardVillageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    township = serializers.CharField()
    alliance = serializers.IntegerField(source="alliance_id", help_text="The village's alliance: an id in `alliances`.")
    income_fen = serializers.IntegerField(
        help_text="Σ village allocations in the year, net of refunds, across all cooperatives."
    )
    target_fen = serializers.IntegerField(help_text="The village's yearly collective-income target.")
    percent_of_target = serializers.FloatField(
        allow_null=True, help_text="income_fen / target_fen × 100, one decimal, half up; null when the target is 0."
    )


class DashboardLowIncomeSerializer(serializers.Serializer):
    earners = serializers.IntegerField(
        help_text="Low-income participants whose labour distributions in the year sum above zero."
    )
    median_income_fen = serializers.IntegerField(
        allow_null=True,
        help_text="Median of those people's yearly sums (even count: mean of the two middle values, rounded half up); "
        f"null when fewer than {MIN_GROUP_SIZE} people earned.",
    )
    total_fen = serializers.IntegerField(
        allow_null=True, help_text=f"Σ of their yearly sums; null when 1 to {MIN_GROUP_SIZE - 1} people earned."
    )


class DashboardAllianceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    revenue_fen = serializers.IntegerField(help_text="Σ village income of the alliance's villages in the year.")
    last_year_fen = serializers.IntegerField(help_text="The same for the year before.")
    growth_percent = serializers.FloatField(
        allow_null=True,
        help_text="(revenue − last year) / last year × 100, one decimal, half up; null when last year ≤ 0.",
    )
    rank = serializers.IntegerField(help_text="1 for the highest revenue; equal revenues share a rank (1, 2, 2, 4).")


class DashboardMonthlySeriesSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The alliance's id.")
    name = serializers.CharField()
    income_fen = serializers.ListField(
        source="monthly_fen", child=serializers.IntegerField(), help_text="Twelve amounts, in the order of `months`."
    )


class DashboardMonthlySerializer(serializers.Serializer):
    months = serializers.ListField(
        child=serializers.CharField(), help_text="The year's months, YYYY-MM (Asia/Shanghai)."
    )
    alliances = DashboardMonthlySeriesSerializer(
        many=True, help_text="Village income per alliance and month, by alliance name."
    )


class DashboardSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    currency = CurrencyField()
    villages = DashboardVillageSerializer(
        many=True, help_text="Grouped by alliance (by name), then by township and name."
    )
    low_income = DashboardLowIncomeSerializer()
    alliances = DashboardAllianceSerializer(many=True, help_text="The ranking (赛马): highest revenue first.")
    monthly = DashboardMonthlySerializer()


def _body(board: Dashboard) -> dict:
    return DashboardSerializer({
        "year": board.year,
        "villages": board.villages,
        "low_income": board.low_income,
        "alliances": board.alliances,
        "monthly": {"months": [month_format(m) for m in board.months], "alliances": board.alliances_by_name},
    }).data


class DashboardView(APIView):
    """The common-prosperity dashboard of one year."""

    permission_classes = [AllowAny]
    authentication_classes: list = []  # public figures; no session, so no CSRF either

    @extend_schema(
        operation_id="dashboard_retrieve", tags=TAGS,
        summary="Common-prosperity dashboard (共富看板) of a year",
        description="Aggregates only, no personal data: income to each village against its target, low-income "
        "earners (suppressed below three people), the alliance ranking with growth, and monthly income per "
        "alliance. A year is twelve Asia/Shanghai months; entries count in the month of their settlement period.",
        parameters=[
            OpenApiParameter(
                "year", OpenApiTypes.INT,
                description=f"From {MIN_YEAR} to the current year (Asia/Shanghai), its default.",
            ),
        ],
        responses={200: DashboardSerializer, 400: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or current_year()
        return Response(_body(dashboard_for_year(year=year)))
