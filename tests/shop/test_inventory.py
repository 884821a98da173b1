import pytest

from shop.inventory import InsufficientStock, InventoryError, stock_adjust, stock_receive
from shop.models import ProductVariant, StockMovement, StockRecord
from shop.selectors import stock_available
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def test_receive_adds_units_and_records_a_movement():
    stock_receive(sku="INV-A-1", quantity=10, reason="到货")
    movement = stock_receive(sku="INV-A-1", quantity=5)
    assert StockRecord.objects.get(sku="INV-A-1").on_hand == 15
    assert movement.on_hand_after == 15
    assert list(StockMovement.objects.filter(record__sku="INV-A-1").values_list("kind", "quantity")) == [
        ("receive", 5),
        ("receive", 10),
    ]


@pytest.mark.parametrize("quantity", [0, -1])
def test_receive_refuses_non_positive_quantity(quantity):
    with pytest.raises(InventoryError):
        stock_receive(sku="INV-B-1", quantity=quantity)
    assert not StockMovement.objects.filter(record__sku="INV-B-1").exists()


def test_adjust_needs_a_reason():
    stock_receive(sku="INV-C-1", quantity=3)
    with pytest.raises(InventoryError):
        stock_adjust(sku="INV-C-1", delta=-1, reason="  ")
    assert StockRecord.objects.get(sku="INV-C-1").on_hand == 3


def test_adjust_below_zero_is_refused_and_changes_nothing():
    stock_receive(sku="INV-D-1", quantity=3)
    with pytest.raises(InsufficientStock):
        stock_adjust(sku="INV-D-1", delta=-4, reason="盘点")
    record = StockRecord.objects.get(sku="INV-D-1")
    assert record.on_hand == 3
    assert record.movements.count() == 1


def test_adjust_down_to_zero_is_allowed():
    stock_receive(sku="INV-E-1", quantity=3)
    movement = stock_adjust(sku="INV-E-1", delta=-3, reason="破损")
    assert movement.on_hand_after == 0
    assert stock_available(skus=["INV-E-1", "UNKNOWN-SKU"]) == {"INV-E-1": 0, "UNKNOWN-SKU": 0}


def test_publishing_an_old_revision_never_changes_stock():
    # given a product whose stock changed after its first revision
    product = make_product(variants=1)
    sku = product.variants.get().sku
    first_revision = product.latest_revision
    stock_receive(sku=sku, quantity=20)
    product.title = "改名后的商品"
    product.save_revision().publish()
    # when the first revision is published again
    first_revision.publish()
    # then stock is as it was before the revert
    assert StockRecord.objects.get(sku=sku).on_hand == 20


def test_removing_a_variant_from_a_page_keeps_its_stock_and_history():
    product = make_product(variants=2)
    removed_sku = product.variants.order_by("sort_order").last().sku
    stock_receive(sku=removed_sku, quantity=7)
    product.variants = list(product.variants.order_by("sort_order"))[:1]
    product.save_revision().publish()
    assert not ProductVariant.objects.filter(sku=removed_sku).exists()
    record = StockRecord.objects.get(sku=removed_sku)
    assert record.on_hand == 7
    assert record.movements.count() == 1
