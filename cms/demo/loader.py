"""Loads the demo catalogue (cms.demo.data) into an empty or already-loaded database.

Idempotent: every record is found by its natural key (slug, SKU, username, image title) and
created only when missing; existing records, pages and stock are left exactly as they are, so
a second run writes nothing.
"""

import datetime
import io
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site

from cms.demo import data
from cms.demo.art import render_product_image_cached
from cms.models import HomeFeaturedProduct, HomePage, SiteSettings, StoryIndexPage, StoryPage
from livestream.demo import live_demo_load
from orders.accounting.demo_sales import demo_activity_load
from shop.inventory import stock_receive
from shop.models import (
    Alliance,
    Brand,
    CatalogueIndexPage,
    Category,
    Cooperative,
    Participant,
    ProductImage,
    ProductPage,
    ProductSpec,
    ProductVariant,
    Shareholding,
    StockRecord,
    Village,
    Workshop,
)

Progress = Callable[[str], None]
OPENING_STOCK_REASON = "期初库存（演示数据）"




def _art_cache_dir():
    # Drawing is deterministic and was the slowest part of loading the demo: every later load
    # (`make run` again, each test database) reads the pictures drawn the first time.
    return settings.VAR_DIR / "cache" / "demo-art"


def _image(title: str, *, motif: str, caption: str, subtitle: str = "", palette=None, seed: int = 0):
    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    jpeg = render_product_image_cached(
        cache_dir=_art_cache_dir(), motif=motif, title=caption, subtitle=subtitle, palette=palette, seed=seed,
        size=(1200, 1200),
    )
    image = Image(title=title, description=caption, file=ImageFile(io.BytesIO(jpeg), name=f"demo-{seed:03d}.jpg"))
    image.save()
    return image


def _producers(progress: Progress) -> dict:
    alliances = {}
    for row in data.ALLIANCES:
        alliances[row["slug"]], _ = Alliance.objects.get_or_create(
            slug=row["slug"], defaults={k: row[k] for k in ("name", "district", "description")}
        )
    villages = {}
    for slug, name, township, alliance in data.VILLAGES:
        villages[slug], _ = Village.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "township": township, "alliance": alliances[alliance],
                      "description": f"{township}{name}，{alliances[alliance].name}成员村。"},
        )
    cooperatives = {}
    for row in data.COOPERATIVES:
        fields = {k: row[k] for k in ("name", "short_name", "service_phone", "address", "description",
                                      "reserve_rate_bp", "labour_per_unit_fen", "labour_rate_bp", "platform_rate_bp")}
        cooperative, created = Cooperative.objects.get_or_create(
            slug=row["slug"], defaults=fields | {"alliance": alliances[row["alliance"]]}
        )
        if created:
            for order, (village, shares) in enumerate(row["shares"].items()):
                Shareholding.objects.create(
                    cooperative=cooperative, village=villages[village], shares=shares, sort_order=order
                )
        cooperatives[row["slug"]] = cooperative
    workshops = {}
    for seed, row in enumerate(data.WORKSHOPS, start=500):
        workshop, created = Workshop.objects.get_or_create(
            slug=row["slug"],
            defaults={"name": row["name"], "workshop_type": row["type"], "cooperative": cooperatives[row["cooperative"]],
                      "village": villages[row["village"]], "description": row["description"],
                      "established_on": datetime.date.fromisoformat(row["established_on"])},
        )
        if created:
            for number, (name, low_income) in enumerate(data.PARTICIPANTS.get(row["slug"], []), start=1):
                Participant.objects.create(
                    workshop=workshop, name=name, is_low_income=low_income,
                    joined_on=workshop.established_on,
                    phone=f"1380000{seed % 100:02d}{number:02d}",
                    bank_name="宁波银行（演示）", bank_account=f"6200 0000 {seed:04d} {number:04d}",
                )
        workshops[row["slug"]] = workshop
    brands = {}
    for row in data.BRANDS:
        brands[row["slug"]], _ = Brand.objects.get_or_create(
            slug=row["slug"],
            defaults={"name": row["name"], "aliases": row["aliases"], "is_geographic_indication": row["gi"],
                      "gi_certificate": row["certificate"], "description": row["description"]},
        )
    categories = {}
    for slug, name, name_en, order in data.CATEGORIES:
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    progress(f"producers: {len(alliances)} alliances, {len(villages)} villages, "
             f"{len(cooperatives)} cooperatives, {len(workshops)} workshops")
    return {"alliances": alliances, "villages": villages, "cooperatives": cooperatives,
            "workshops": workshops, "brands": brands, "categories": categories}


def _home() -> HomePage:
    home = HomePage.objects.first()
    if home:
        return home
    # A flushed database has lost even the locale and tree roots Wagtail's migrations created.
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    # Wagtail's initial migration leaves a placeholder "Welcome" page as the site root.
    welcome = Page.objects.filter(depth=2, slug="home", content_type__model="page").first()
    if welcome:
        welcome.slug = "welcome-placeholder"
        welcome.save(update_fields=["slug"])
    home = root.add_child(
        instance=HomePage(title=data.HOME["title"], slug="home", hero_title=data.HOME["hero_title"],
                          hero_text=data.HOME["hero_text"])
    )
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost", "port": 80,
                                                                  "site_name": data.HOME["title"]})
    if welcome:
        welcome.delete()
    return home


def _product(catalogue: CatalogueIndexPage, row: dict, number: int, refs: dict, progress: Progress) -> ProductPage:
    existing = ProductPage.objects.filter(slug=row["slug"]).first()
    if existing:
        return existing
    product = ProductPage(
        title=row["title"], slug=row["slug"], subtitle=row["subtitle"], summary=row["summary"],
        brand=refs["brands"].get(row["brand"]) if row["brand"] else None,
        cooperative=refs["cooperatives"][row["cooperative"]],
        workshop=refs["workshops"][row["workshop"]] if row["workshop"] else None,
        category=refs["categories"][row["category"]], shipping_profile=row["shipping"],
        story=[
            {"type": "paragraph", "value": f"<p>{row['summary']}</p>"},
            {"type": "facts", "value": [{"value": spec_value, "label": spec_label} for spec_label, spec_value in row["specs"][:2]]},
        ],
    )
    product.origin_villages = [refs["villages"][v] for v in row["villages"]]
    product.tags.add(*row["tags"])
    views = [("主图", ""), ("细节", row["subtitle"])]
    product.gallery_images = [
        ProductImage(
            image=_image(f"{row['title']} · {label}", motif=row["motif"], caption=row["title"], subtitle=subtitle,
                         palette=row.get("palette"), seed=number * 10 + index),
            caption=f"{row['title']}（{label}）", sort_order=index,
        )
        for index, (label, subtitle) in enumerate(views)
    ]
    product.specs = [ProductSpec(label=label, value=value, sort_order=i) for i, (label, value) in enumerate(row["specs"])]
    product.variants = [
        ProductVariant(sku=sku, label=label, price_fen=price, compare_at_price_fen=compare, weight_g=weight, sort_order=i)
        for i, (sku, label, price, compare, weight, _stock) in enumerate(row["variants"])
    ]
    catalogue.add_child(instance=product)
    product.save_revision().publish()
    progress(f"product: {product.title}")
    return product


def _opening_stock(actor) -> int:
    received = 0
    for row in data.PRODUCTS:
        for sku, _label, _price, _compare, _weight, quantity in row["variants"]:
            if quantity and not StockRecord.objects.filter(sku=sku).exists():
                stock_receive(sku=sku, quantity=quantity, reason=OPENING_STOCK_REASON, actor=actor)
                received += 1
    return received


def _stories(home: HomePage, refs: dict) -> None:
    index = StoryIndexPage.objects.first()
    if index is None:
        index = home.add_child(instance=StoryIndexPage(title="村里的故事", slug="stories",
                                                       intro="联建片区、强村公司和共富工坊里的人和事。"))
        index.save_revision().publish()
    for number, row in enumerate(data.STORIES, start=900):
        if StoryPage.objects.filter(slug=row["slug"]).exists():
            continue
        story = StoryPage(
            title=row["title"], slug=row["slug"], subject=row["subject"], intro=row["intro"],
            date=datetime.date.fromisoformat(row["date"]),
            hero_image=_image(f"故事 · {row['title']}", motif=row["motif"], caption=row["title"], seed=number),
            body=[{"type": "paragraph", "value": f"<p>{text}</p>"} for text in row["body"]],
        )
        if "alliance" in row:
            story.alliance = refs["alliances"][row["alliance"]]
        if "village" in row:
            story.village = refs["villages"][row["village"]]
        if "workshop" in row:
            story.workshop = refs["workshops"][row["workshop"]]
        index.add_child(instance=story)
        story.save_revision().publish()


@transaction.atomic
def demo_load(*, progress: Progress = lambda message: None, activity: bool = True) -> None:
    """Create whatever part of the demo data is missing; change nothing that exists.

    activity=False leaves out the months of past sales (the test suite's catalogue baseline).
    """
    User = get_user_model()
    admin = User.objects.filter(username=data.ADMIN_USER["username"]).first()
    if admin is None:
        admin = User.objects.create_superuser(**data.ADMIN_USER)
        progress(f"admin user: {admin.username}")
    refs = _producers(progress)
    home = _home()
    site = Site.objects.get(root_page=home)
    SiteSettings.objects.get_or_create(
        site=site,
        defaults={"site_name": "联建优品", "service_phone": "400-000-0574", "contact_email": "service@example.com",
                  "address": "浙江省宁波市"},
    )
    catalogue = CatalogueIndexPage.objects.first()
    if catalogue is None:
        catalogue = home.add_child(instance=CatalogueIndexPage(title="全部商品", slug="products",
                                                               intro="来自宁波各联建片区强村公司的好物。"))
        catalogue.save_revision().publish()
    products = {row["slug"]: _product(catalogue, row, n, refs, progress) for n, row in enumerate(data.PRODUCTS, start=1)}
    received = _opening_stock(admin)
    if received:
        progress(f"opening stock for {received} SKUs")
    if not home.featured_products.exists():
        home.hero_product = products[data.HOME["hero_product"]]
        home.featured_products = [
            HomeFeaturedProduct(product=products[slug], sort_order=i) for i, slug in enumerate(data.HOME["featured"])
        ]
        home.save_revision().publish()
    _stories(home, refs)
    live_demo_load(progress=progress)
    if activity:
        demo_activity_load(admin=admin, progress=progress)
