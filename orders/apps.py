from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    """Cart, checkout, orders, payments and the revenue ledger."""

    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from orders.buying import session_cart  # noqa: F401 - connects the cart merge at login
