from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    """Cart, checkout, orders, payments and the revenue ledger."""

    name = "orders"
    verbose_name = _("Orders")
