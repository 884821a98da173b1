"""The orders app's admin, registered with Wagtail (which looks for this module only).

Buying registers the orders listing and order pages; accounting the workbench and work records.
"""

from orders.accounting import work_records_admin, workbench_admin  # noqa: F401
from orders.buying import admin  # noqa: F401
