"""Serializers of the accounting API: settlement periods, their totals and statements.

Responses only (the actions take no body). Amounts are integer fen with the site currency.
"""

from rest_framework import serializers

from orders.models import PayoutRecipient, PeriodStatus, RecipientType, SettlementPeriod
from shop.api.fields import CurrencyField


class PeriodSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The cooperative's slug.")
    cooperative_name = serializers.CharField(source="cooperative.name", read_only=True)
    month = serializers.DateField(format="%Y-%m", read_only=True, help_text="The Asia/Shanghai month, e.g. 2026-11.")
    status = serializers.ChoiceField(choices=PeriodStatus.choices, read_only=True, help_text="open → in_review → closed.")

    class Meta:
        model = SettlementPeriod
        fields = ["id", "cooperative", "cooperative_name", "month", "status", "closed_at"]
        read_only_fields = fields


class FiguresSerializer(serializers.Serializer):
    earned_fen = serializers.IntegerField()
    reversed_fen = serializers.IntegerField(help_text="Zero or negative, as booked.")
    net_fen = serializers.IntegerField(help_text="earned_fen + reversed_fen.")


class TypeTotalSerializer(FiguresSerializer):
    recipient_type = serializers.ChoiceField(choices=RecipientType.choices)


class VillageTotalSerializer(FiguresSerializer):
    village_id = serializers.IntegerField()
    village_slug = serializers.CharField()
    village_name = serializers.CharField()


class LabourPoolSerializer(serializers.Serializer):
    workshop_id = serializers.IntegerField()
    workshop_name = serializers.CharField()
    booked_fen = serializers.IntegerField(help_text="Labour booked into this month, net of reversals.")
    balance_fen = serializers.IntegerField(help_text="Booked up to this month, less what closes distributed.")
    work = serializers.IntegerField(help_text="Work recorded by the workshop's participants for the month.")


class PeriodDetailSerializer(serializers.Serializer):
    period = PeriodSerializer()
    totals = FiguresSerializer(help_text="Σ of the period's allocations (captured − refunded booked into it).")
    by_recipient_type = TypeTotalSerializer(many=True, help_text="platform, host, labour, reserve, village.")
    by_village = VillageTotalSerializer(many=True, help_text="The shareholder villages, then any other that earned.")
    labour_pools = LabourPoolSerializer(many=True)
    currency = CurrencyField()


class StatementRowSerializer(serializers.Serializer):
    recipient_type = serializers.ChoiceField(choices=PayoutRecipient.choices)
    recipient_id = serializers.IntegerField(
        allow_null=True, help_text="The village, participant or host id; null for the reserve and the platform."
    )
    name = serializers.CharField()
    opening_fen = serializers.IntegerField()
    earned_fen = serializers.IntegerField()
    reversed_fen = serializers.IntegerField()
    paid_out_fen = serializers.IntegerField()
    closing_fen = serializers.IntegerField()
    payable_fen = serializers.IntegerField(
        help_text="What a payout booked into this month can be: the balance at its end less what later months "
        "already paid out; 0 once the month is in review or closed."
    )


class StatementTotalsSerializer(serializers.Serializer):
    opening_fen = serializers.IntegerField()
    earned_fen = serializers.IntegerField()
    reversed_fen = serializers.IntegerField()
    paid_out_fen = serializers.IntegerField()
    closing_fen = serializers.IntegerField()


class PeriodStatementsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    rows = StatementRowSerializer(many=True)
    totals = StatementTotalsSerializer()
    currency = CurrencyField()


class MonthStatementsSerializer(serializers.Serializer):
    cooperative = serializers.CharField(help_text="The cooperative's slug.")
    month = serializers.DateField(format="%Y-%m", help_text="The Asia/Shanghai month, e.g. 2026-11.")
    rows = StatementRowSerializer(many=True)
    totals = StatementTotalsSerializer()
    currency = CurrencyField()


class DistributionSerializer(serializers.Serializer):
    workshop_id = serializers.IntegerField()
    participant_id = serializers.IntegerField()
    participant_name = serializers.CharField(source="participant.name")
    work = serializers.IntegerField()
    amount_fen = serializers.IntegerField()


class PeriodClosedSerializer(serializers.Serializer):
    period = PeriodSerializer()
    distributions = DistributionSerializer(many=True, help_text="The labour shared among participants at this close.")
    currency = CurrencyField()
