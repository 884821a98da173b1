import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shop.inventory import stock_receive
from shop.models import (
    DEFAULT_VILLAGE_INCOME_TARGET_FEN,
    Brand,
    Cooperative,
    ProductVariant,
    Shareholding,
    StockMovement,
    StockRecord,
    Village,
)
from tests.factories import (
    AllianceFactory,
    CategoryFactory,
    CooperativeFactory,
    VillageFactory,
    WorkshopFactory,
    make_product,
)

pytestmark = pytest.mark.django_db


def test_village_target_defaults_to_150000_yuan_when_not_given():
    village = Village.objects.create(name="新村", slug="xin", township="长街镇", alliance=AllianceFactory())
    assert village.income_target_fen == DEFAULT_VILLAGE_INCOME_TARGET_FEN == 15_000_000


def test_variant_rejects_negative_and_zero_price_when_validated():
    product = make_product(variants=1)
    variant = product.variants.get()
    for bad in (-1, 0):
        variant.price_fen = bad
        with pytest.raises(ValidationError) as error:
            variant.full_clean()
        assert "price_fen" in error.value.message_dict


def test_database_refuses_negative_price_when_validation_is_bypassed():
    product = make_product(variants=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductVariant.objects.filter(page=product).update(price_fen=-100)


def test_variant_rejects_compare_at_price_not_above_price():
    variant = make_product(variants=1).variants.get()
    variant.compare_at_price_fen = variant.price_fen
    with pytest.raises(ValidationError) as error:
        variant.full_clean()
    assert "compare_at_price_fen" in error.value.message_dict


def test_variant_rejects_malformed_sku():
    variant = make_product(variants=1).variants.get()
    variant.sku = "bad sku!"
    with pytest.raises(ValidationError) as error:
        variant.full_clean()
    assert "sku" in error.value.message_dict


def test_sku_is_unique_across_products():
    first = make_product(variants=1)
    sku = first.variants.get().sku
    second = make_product(variants=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductVariant.objects.filter(page=second).update(sku=sku)


@pytest.mark.parametrize("shares", [0, -3])
def test_shareholding_rejects_non_positive_shares(shares):
    holding = Shareholding(cooperative=CooperativeFactory(), village=VillageFactory(), shares=shares)
    with pytest.raises(ValidationError):
        holding.full_clean()


def test_database_refuses_zero_shares():
    with pytest.raises(IntegrityError), transaction.atomic():
        Shareholding.objects.create(cooperative=CooperativeFactory(), village=VillageFactory(), shares=0)


def test_village_holds_one_shareholding_per_cooperative():
    cooperative, village = CooperativeFactory(), VillageFactory()
    Shareholding.objects.create(cooperative=cooperative, village=village, shares=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Shareholding.objects.create(cooperative=cooperative, village=village, shares=2)


@pytest.mark.parametrize("field", ["reserve_rate_bp", "platform_rate_bp", "labour_rate_bp"])
def test_cooperative_rates_must_be_basis_points_between_0_and_10000(field):
    cooperative = CooperativeFactory.build(alliance=None)
    setattr(cooperative, field, 10_001)
    with pytest.raises(ValidationError) as error:
        cooperative.full_clean()
    assert field in error.value.message_dict


def test_database_refuses_rate_above_100_percent():
    cooperative = CooperativeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Cooperative.objects.filter(pk=cooperative.pk).update(reserve_rate_bp=10_001)


def test_gi_brand_requires_certificate_text():
    brand = Brand(name="某地标", slug="gi", is_geographic_indication=True)
    with pytest.raises(ValidationError) as error:
        brand.full_clean()
    assert "gi_certificate" in error.value.message_dict


def test_brand_aliases_split_on_chinese_and_latin_commas():
    assert Brand(aliases="长街蛏子，蛏子, 蛭子").alias_list == ["长街蛏子", "蛏子", "蛭子"]


def test_product_needs_cooperative_and_category_to_be_valid():
    product = make_product()
    product.cooperative = None
    product.category = None
    with pytest.raises(ValidationError) as error:
        product.clean()
    assert {"cooperative", "category"} <= set(error.value.message_dict)


def test_product_rejects_workshop_of_another_cooperative():
    product = make_product()
    product.workshop = WorkshopFactory()
    with pytest.raises(ValidationError) as error:
        product.clean()
    assert "workshop" in error.value.message_dict


def test_product_accepts_workshop_of_its_own_cooperative():
    product = make_product()
    product.workshop = WorkshopFactory(cooperative=product.cooperative)
    product.clean()


def test_stock_movement_cannot_be_edited_or_deleted():
    movement = stock_receive(sku="TEST-APPEND-1", quantity=5)
    movement.quantity = 500
    with pytest.raises(ValidationError):
        movement.save()
    with pytest.raises(ValidationError):
        movement.delete()
    assert StockMovement.objects.get(pk=movement.pk).quantity == 5


def test_database_refuses_negative_stock():
    stock_receive(sku="TEST-NEG-1", quantity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockRecord.objects.filter(sku="TEST-NEG-1").update(on_hand=-1)


def test_category_listing_order_follows_sort_order():
    CategoryFactory(name="乙", sort_order=2, slug="b-cat")
    CategoryFactory(name="甲", sort_order=1, slug="a-cat")
    from shop.models import Category

    names = [c.name for c in Category.objects.filter(slug__in=["a-cat", "b-cat"])]
    assert names == ["甲", "乙"]
