"""factory_boy factories for the catalogue. Products are created as published child pages of the
catalogue index, like an editor would; in an empty database (a transactional test after a flush)
the few pages and rows a site needs are created first, so such tests need not load the demo."""

import factory
from django.conf import settings
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, Locale, Page, Site

from cms.models import HomePage
from shop.models import (
    Alliance,
    Brand,
    CatalogueIndexPage,
    Category,
    Cooperative,
    ProductImage,
    ProductPage,
    ProductVariant,
    Shareholding,
    Village,
    Workshop,
    WorkshopType,
)


class AllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alliance

    name = factory.Sequence(lambda n: f"测试片区{n}")
    slug = factory.Sequence(lambda n: f"test-alliance-{n}")
    district = "宁海县"


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    name = factory.Sequence(lambda n: f"测试村{n}")
    slug = factory.Sequence(lambda n: f"test-village-{n}")
    township = "测试镇"
    alliance = factory.SubFactory(AllianceFactory)


class CooperativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cooperative

    name = factory.Sequence(lambda n: f"测试强村公司{n}")
    slug = factory.Sequence(lambda n: f"test-coop-{n}")
    alliance = factory.SubFactory(AllianceFactory)


class ShareholdingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shareholding

    cooperative = factory.SubFactory(CooperativeFactory)
    village = factory.SubFactory(VillageFactory)
    shares = 1


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    name = factory.Sequence(lambda n: f"测试工坊{n}")
    slug = factory.Sequence(lambda n: f"test-workshop-{n}")
    workshop_type = WorkshopType.MATERIALS
    cooperative = factory.SubFactory(CooperativeFactory)
    village = factory.SubFactory(VillageFactory)


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"测试品牌{n}")
    slug = factory.Sequence(lambda n: f"test-brand-{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"测试分类{n}")
    slug = factory.Sequence(lambda n: f"test-category-{n}")


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"test image {n}")
    file = factory.LazyFunction(get_test_image_file)


def catalogue_index() -> CatalogueIndexPage:
    """The catalogue index: the demo's when it is loaded, otherwise a bare site built for it."""
    existing = CatalogueIndexPage.objects.first()
    if existing:
        return existing
    # A flush removes even what Wagtail's migrations created: the locale and the tree roots.
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = HomePage.objects.first() or root.add_child(instance=HomePage(title="测试首页", slug="home"))
    Site.objects.get_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost", "port": 80})
    catalogue = home.add_child(instance=CatalogueIndexPage(title="全部商品", slug="products"))
    catalogue.save_revision().publish()
    return catalogue


def make_product(*, variants: int = 2, images: int = 1, cooperative=None, category=None, slug=None, **fields) -> ProductPage:
    """A published product with the given number of variants and gallery images."""
    catalogue = catalogue_index()
    cooperative = cooperative or CooperativeFactory()
    category = category or CategoryFactory()
    slug = slug or f"test-product-{ProductPage.objects.count() + 1}-{variants}-{images}"
    product = ProductPage(
        title=fields.pop("title", "测试商品"), slug=slug, cooperative=cooperative, category=category, **fields
    )
    product.variants = [
        ProductVariant(sku=f"{slug.upper()}-V{i}", label=f"规格{i}", price_fen=1000 + i * 100, sort_order=i)
        for i in range(variants)
    ]
    product.gallery_images = [ProductImage(image=ImageFactory(), sort_order=i) for i in range(images)]
    catalogue.add_child(instance=product)
    product.save_revision().publish()
    return product
