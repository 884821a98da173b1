"""Signals other apps send about products, so that shop's dependants need not import them.

products_changed: something that readers of the catalogue derive from a product changed
outside its page content (a live session started or ended, a promotion, …). Send it with
product_ids=[…]; the catalogue search re-indexes those products after the transaction commits.
"""

import django.dispatch

products_changed = django.dispatch.Signal()  # kwargs: product_ids (an iterable of ProductPage ids)
