import pytest

from shop.policy import SplitPolicy, split_policy_for_product
from tests.factories import CooperativeFactory, make_product

pytestmark = pytest.mark.django_db


def test_policy_takes_site_platform_rate_and_cooperative_reserve_and_labour_by_default():
    cooperative = CooperativeFactory(reserve_rate_bp=1200, labour_per_unit_fen=300)
    product = make_product(cooperative=cooperative)
    assert split_policy_for_product(product=product, site_platform_rate_bp=500) == SplitPolicy(
        platform_rate_bp=500, reserve_rate_bp=1200, labour_per_unit_fen=300, labour_rate_bp=None
    )


def test_cooperative_platform_rate_overrides_site_rate():
    product = make_product(cooperative=CooperativeFactory(platform_rate_bp=300))
    assert split_policy_for_product(product=product, site_platform_rate_bp=500).platform_rate_bp == 300


def test_zero_rates_are_overrides_not_missing_values():
    product = make_product(cooperative=CooperativeFactory(platform_rate_bp=0, reserve_rate_bp=0))
    policy = split_policy_for_product(product=product, site_platform_rate_bp=500)
    assert (policy.platform_rate_bp, policy.reserve_rate_bp) == (0, 0)


def test_product_overrides_win_over_cooperative():
    cooperative = CooperativeFactory(platform_rate_bp=300, reserve_rate_bp=1000, labour_per_unit_fen=300)
    product = make_product(cooperative=cooperative, platform_rate_bp=800, reserve_rate_bp=2000, labour_per_unit_fen=50)
    assert split_policy_for_product(product=product, site_platform_rate_bp=500) == SplitPolicy(
        platform_rate_bp=800, reserve_rate_bp=2000, labour_per_unit_fen=50, labour_rate_bp=None
    )


def test_product_labour_rate_replaces_cooperative_labour_per_unit():
    product = make_product(cooperative=CooperativeFactory(labour_per_unit_fen=300), labour_rate_bp=1500)
    policy = split_policy_for_product(product=product, site_platform_rate_bp=500)
    assert (policy.labour_rate_bp, policy.labour_per_unit_fen) == (1500, 0)


def test_product_labour_per_unit_replaces_cooperative_labour_rate():
    product = make_product(cooperative=CooperativeFactory(labour_rate_bp=3000), labour_per_unit_fen=100)
    policy = split_policy_for_product(product=product, site_platform_rate_bp=500)
    assert (policy.labour_rate_bp, policy.labour_per_unit_fen) == (None, 100)
