from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """The catalogue search index and its backends."""

    name = "search"
    label = "catalogue_search"
    verbose_name = _("Catalogue search")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished

        from search import receivers
        from search.models import Synonym
        from shop.models import Brand, Category, Cooperative, ProductPage, StockMovement, Village
        from shop.signals import products_changed

        page_published.connect(receivers.on_page_published, sender=ProductPage, dispatch_uid="search-published")
        page_unpublished.connect(receivers.on_page_unpublished, sender=ProductPage, dispatch_uid="search-unpublished")
        post_delete.connect(receivers.on_product_deleted, sender=ProductPage, dispatch_uid="search-product-deleted")
        post_save.connect(receivers.on_stock_movement, sender=StockMovement, dispatch_uid="search-stock")
        products_changed.connect(receivers.on_products_changed, dispatch_uid="search-products-changed")
        for model in (Brand, Category, Cooperative, Village):
            post_save.connect(receivers.on_producer_saved, sender=model, dispatch_uid=f"search-{model.__name__}")
        for signal in (post_save, post_delete):
            signal.connect(receivers.on_synonym_changed, sender=Synonym, dispatch_uid=f"search-synonym-{id(signal)}")
