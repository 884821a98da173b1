import pytest
from django.apps import apps
from django.core.management import call_command
from wagtail.models import Revision

from cms.models import HomePage
from shop.models import Brand, Cooperative, ProductPage, ProductVariant, StockMovement, WorkshopType

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()
              if model._meta.app_label in {"shop", "cms", "wagtailcore", "wagtailimages", "auth", "taggit", "orders"}}
    stock = dict(apps.get_model("shop", "StockRecord").objects.values_list("sku", "on_hand"))
    return {"counts": counts, "stock": stock, "revisions": Revision.objects.count()}


@pytest.fixture(scope="module")
def demo_activity(django_db_setup, django_db_blocker):
    """The months of past sales that complete the demo, loaded once for this module's tests; the
    session's catalogue-only database is written back afterwards (the ledger tests build their own
    sales). Returns what demo_activity_load returned."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from orders.accounting.demo_sales import demo_activity_load

    with django_db_blocker.unblock():
        loaded = demo_activity_load(admin=get_user_model().objects.get(username="admin"))
    yield loaded
    with django_db_blocker.unblock():
        django_db_setup.restore(connection)


def test_load_demo_twice_changes_nothing(demo_activity):
    # the session loaded the catalogue; the months of past sales complete the demo
    before = _snapshot()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert _snapshot() == before


def test_demo_covers_the_ningbo_alliances():
    from shop.models import Alliance, Village

    assert Alliance.objects.count() >= 3
    assert Village.objects.count() >= 12
    assert Cooperative.objects.count() >= 4
    assert ProductPage.objects.live().count() >= 20
    assert ProductVariant.objects.count() >= 40
    assert Cooperative.objects.get(slug="longguan-qiangcun").shareholdings.count() == 6
    mountain = {p.title for p in ProductPage.objects.filter(cooperative__slug="siming-shan")}
    assert {"四明山铁皮石斛枫斗", "四明山雷笋", "四明山高山蓝莓", "笋脯花生"} <= mountain
    assert set(WorkshopType.values) <= set(apps.get_model("shop", "Workshop").objects.values_list("workshop_type", flat=True)) | {"materials"}


def test_demo_sells_changjie_razor_clams_under_its_gi_mark_with_alias():
    brand = Brand.objects.get(name="长街蛭子")
    assert brand.is_geographic_indication and "长街蛏子" in brand.alias_list
    assert ProductPage.objects.get(slug="changjie-zhizi").brand == brand
    assert HomePage.objects.get().hero_product.slug == "changjie-zhizi"


def test_demo_stock_was_received_through_inventory_movements():
    assert StockMovement.objects.filter(kind="receive").count() >= 40


def test_demo_images_are_real_pictures_not_blank():
    from PIL import Image, ImageStat

    product = ProductPage.objects.get(slug="siming-lanmei")
    with product.gallery_images.first().image.file.open() as handle:
        picture = Image.open(handle).convert("RGB")
        spread = ImageStat.Stat(picture).stddev
    assert picture.size[0] >= 800
    assert min(spread) > 15  # a flat or grey box has next to no spread


def test_demo_has_months_of_settled_sales_that_audit_clean(demo_activity):
    from orders.accounting.allocations import ledger_audit
    from orders.models import Allocation, LabourDistribution, Order, Payout, SettlementPeriod

    assert demo_activity >= 200
    assert Order.objects.filter(number__startswith="DEMO").count() >= 200
    assert SettlementPeriod.objects.filter(status="closed").values("month").distinct().count() >= 5
    assert LabourDistribution.objects.filter(participant__is_low_income=True).exists()
    assert Payout.objects.exists() and Allocation.objects.exists()
    # Some units came back and were refunded by line: only their own line's allocations moved.
    from orders.models import RefundLine

    returned = RefundLine.objects.filter(refund__order__number__startswith="DEMO", refund__kind="goods", quantity=1)
    assert returned.count() >= 3
    for refund_line in returned.select_related("refund"):
        other_lines = refund_line.refund.order.lines.exclude(pk=refund_line.line_id)
        assert not Allocation.objects.filter(refund=refund_line.refund, line__in=other_lines).exists()
    assert ledger_audit() == []
    # The books a real accountant would sign: no statement of any month, in any export, shows a
    # negative balance, and every payout fits the balance of the month it is booked in.
    from orders.accounting.statements import statements_for

    for period in SettlementPeriod.objects.select_related("cooperative"):
        statements = statements_for(cooperative=period.cooperative, month=period.month)
        negative = {r: s.closing_fen for r, s in statements.items() if s.closing_fen < 0 or s.opening_fen < 0}
        assert negative == {}, f"{period}: {negative}"


def test_demo_picture_is_drawn_once_and_read_back_identical_when_cached(tmp_path, monkeypatch):
    from cms.demo import art

    arguments = {"motif": "razor_clam", "title": "长街蛭子", "subtitle": "当日鲜捕", "seed": 7, "size": (96, 96)}
    drawn = art.render_product_image(**arguments)
    # given the picture drawn once into the cache
    assert art.render_product_image_cached(cache_dir=tmp_path, **arguments) == drawn
    assert len(list(tmp_path.glob("*.jpg"))) == 1

    # when it is asked for again with drawing made impossible
    def no_drawing(**_arguments):
        raise AssertionError("drew a cached picture again")

    monkeypatch.setattr(art, "render_product_image", no_drawing)
    # then the same bytes come back, and other arguments are another file
    assert art.render_product_image_cached(cache_dir=tmp_path, **arguments) == drawn
    with pytest.raises(AssertionError, match="drew a cached picture again"):
        art.render_product_image_cached(cache_dir=tmp_path, **arguments | {"seed": 8})
