"""Signals orders sends for apps that build on it (orders imports none of them).

order_paid(order_id=...): sent once, after the commit, when an order becomes paid. Live
selling hears it to run its sales ticker and the host's figures.
"""

from django.dispatch import Signal

order_paid = Signal()
