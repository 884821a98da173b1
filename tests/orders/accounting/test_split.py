"""The split of DESIGN.md §3 on hand-worked examples and, with hypothesis, on any input."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.accounting.ledger import (
    BP,
    LinePolicy,
    reversal_step,
    split_line,
    village_key,
)
from shop.money import split_largest_remainder


def test_largest_remainder_gives_leftover_to_largest_remainders_then_first_listed():
    assert split_largest_remainder(100, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert split_largest_remainder(2, {"a": 1, "b": 1, "c": 1}) == {"a": 1, "b": 1, "c": 0}
    assert split_largest_remainder(10, {"a": 1, "b": 2}) == {"a": 3, "b": 7}  # 3.33 / 6.67
    assert split_largest_remainder(-100, {"a": 1, "b": 1, "c": 1}) == {"a": -34, "b": -33, "c": -33}


def test_largest_remainder_refuses_negative_or_all_zero_weights():
    with pytest.raises(ValueError):
        split_largest_remainder(5, {"a": -1, "b": 2})
    with pytest.raises(ValueError):
        split_largest_remainder(5, {"a": 0})
    assert split_largest_remainder(0, {"a": 0}) == {"a": 0}


def test_worked_example_razor_clams_sold_in_a_live_session():
    # ¥161.00 line of 2 units: platform 5%, host 10%, labour ¥3.00 a unit, reserve 10%,
    # villages 30:25:25:20.
    policy = LinePolicy(platform_rate_bp=500, host_rate_bp=1000, labour_per_unit_fen=300, reserve_rate_bp=1000,
                        shares={1: 30, 2: 25, 3: 25, 4: 20})
    parts = split_line(amount_fen=16100, quantity=2, policy=policy)
    # platform 805, host 1610, labour 600, pool 13085 → reserve 1308.5, villages 90% of pool
    # by shares: 3532.95, 2944.125, 2944.125, 2355.3
    assert parts == {"platform": 805, "host": 1610, "labour": 600, "reserve": 1309,
                     village_key(1): 3533, village_key(2): 2944, village_key(3): 2944, village_key(4): 2355}
    assert sum(parts.values()) == 16100


def test_three_villages_at_one_share_each():
    parts = split_line(amount_fen=100, quantity=1, policy=LinePolicy(platform_rate_bp=0, reserve_rate_bp=0, shares={7: 1, 8: 1, 9: 1}))
    assert [parts[village_key(v)] for v in (7, 8, 9)] == [34, 33, 33]


def test_one_fen_goes_whole_to_a_single_part():
    parts = split_line(amount_fen=1, quantity=1, policy=LinePolicy(platform_rate_bp=500, reserve_rate_bp=1000, shares={1: 1, 2: 1}))
    assert sum(parts.values()) == 1 and sorted(parts.values()) == [0, 0, 0, 0, 0, 1]


def test_zero_rates_send_everything_to_the_villages():
    parts = split_line(amount_fen=999, quantity=3, policy=LinePolicy(platform_rate_bp=0, reserve_rate_bp=0, shares={1: 2, 2: 1}))
    assert parts == {"platform": 0, "host": 0, "labour": 0, "reserve": 0, village_key(1): 666, village_key(2): 333}


def test_full_rates_send_everything_to_one_place():
    assert split_line(amount_fen=500, quantity=1, policy=LinePolicy(platform_rate_bp=BP, reserve_rate_bp=0, shares={1: 1}))["platform"] == 500
    parts = split_line(amount_fen=500, quantity=1, policy=LinePolicy(platform_rate_bp=0, reserve_rate_bp=BP, shares={1: 1}))
    assert parts["reserve"] == 500 and parts[village_key(1)] == 0


def test_labour_is_capped_so_the_pool_is_never_negative():
    parts = split_line(amount_fen=500, quantity=10, policy=LinePolicy(platform_rate_bp=1000, labour_per_unit_fen=300, reserve_rate_bp=0, shares={1: 1}))
    assert parts["labour"] == 450 and parts[village_key(1)] == 0


def test_labour_rate_replaces_per_unit_labour():
    parts = split_line(amount_fen=10000, quantity=5, policy=LinePolicy(platform_rate_bp=500, labour_rate_bp=3000, labour_per_unit_fen=999, reserve_rate_bp=0, shares={1: 1}))
    assert parts["labour"] == 3000


def test_platform_and_host_above_100_percent_is_refused():
    with pytest.raises(ValueError):
        LinePolicy(platform_rate_bp=6000, host_rate_bp=5000, reserve_rate_bp=0)


def test_refund_in_steps_reverses_every_allocation_exactly():
    original = split_line(amount_fen=16100, quantity=2, policy=LinePolicy(platform_rate_bp=500, host_rate_bp=1000, labour_per_unit_fen=300, reserve_rate_bp=1000, shares={1: 30, 2: 25, 3: 25, 4: 20}))
    first = reversal_step(held=original, refund_fen=3333)
    held = {key: original[key] + first[key] for key in original}
    second = reversal_step(held=held, refund_fen=16100 - 3333)
    assert sum(first.values()) == -3333
    assert {key: first[key] + second[key] for key in original} == {key: -amount for key, amount in original.items()}


def test_nine_then_five_fen_of_a_128_yuan_line_never_moves_a_recipient_up():
    # 龙谷 tea, ¥128.00: platform 5%, labour 8%, reserve 15%, six villages at one share each.
    # Re-splitting the running total (14 fen) by the original allocations gave the platform
    # +1 fen on the second step; splitting each step by what is still held cannot.
    original = split_line(amount_fen=12800, quantity=1, policy=LinePolicy(
        platform_rate_bp=500, labour_rate_bp=800, reserve_rate_bp=1500, shares={i: 1 for i in range(1, 7)}))
    first = reversal_step(held=original, refund_fen=9)
    held = {key: original[key] + first[key] for key in original}
    second = reversal_step(held=held, refund_fen=5)
    assert sum(first.values()) == -9 and sum(second.values()) == -5
    assert all(amount <= 0 for amount in first.values()) and all(amount <= 0 for amount in second.values())
    assert all(-second[key] <= held[key] for key in held)


def test_reversal_step_refuses_more_than_is_held_or_negative_holdings():
    with pytest.raises(ValueError):
        reversal_step(held={"platform": 3, "reserve": 4}, refund_fen=8)
    with pytest.raises(ValueError):
        reversal_step(held={"platform": 3, "reserve": 4}, refund_fen=-1)
    with pytest.raises(ValueError):
        reversal_step(held={"platform": -1, "reserve": 4}, refund_fen=1)
    assert reversal_step(held={"platform": 0, "reserve": 0}, refund_fen=0) == {"platform": 0, "reserve": 0}


# --- properties ---------------------------------------------------------------------------

rates = st.integers(min_value=0, max_value=BP)


@st.composite
def policies(draw):
    platform = draw(rates)
    host = draw(st.integers(min_value=0, max_value=BP - platform))
    use_rate = draw(st.booleans())
    return LinePolicy(
        platform_rate_bp=platform, host_rate_bp=host, reserve_rate_bp=draw(rates),
        labour_per_unit_fen=draw(st.integers(min_value=0, max_value=5000)),
        labour_rate_bp=draw(rates) if use_rate else None,
        shares=draw(st.dictionaries(st.integers(min_value=1, max_value=50), st.integers(min_value=1, max_value=1000), max_size=8)),
    )


amounts = st.integers(min_value=0, max_value=10_000_000)
quantities = st.integers(min_value=1, max_value=99)


@given(amount=amounts, quantity=quantities, policy=policies())
def test_split_sums_exactly_and_never_goes_negative(amount, quantity, policy):
    parts = split_line(amount_fen=amount, quantity=quantity, policy=policy)
    assert sum(parts.values()) == amount
    assert all(part >= 0 for part in parts.values())
    assert split_line(amount_fen=amount, quantity=quantity, policy=policy) == parts  # deterministic


@given(amount=amounts, quantity=quantities, policy=policies())
def test_step_one_parts_are_within_one_fen_of_their_exact_shares(amount, quantity, policy):
    parts = split_line(amount_fen=amount, quantity=quantity, policy=policy)
    platform = Fraction(amount * policy.platform_rate_bp, BP)
    host = Fraction(amount * policy.host_rate_bp, BP)
    room = amount - platform - host
    labour = min(Fraction(amount * policy.labour_rate_bp, BP), room) if policy.labour_rate_bp is not None else min(policy.labour_per_unit_fen * quantity, room)
    for key, exact in (("platform", platform), ("host", host), ("labour", labour)):
        assert abs(parts[key] - exact) < 1


@given(
    total=st.integers(min_value=-10_000_000, max_value=10_000_000),
    weights=st.dictionaries(st.text(min_size=1, max_size=4), st.integers(min_value=0, max_value=10**6), min_size=1, max_size=10).filter(lambda w: sum(w.values()) > 0),
)
def test_largest_remainder_parts_are_within_one_fen_and_sum_exactly(total, weights):
    parts = split_largest_remainder(total, weights)
    assert sum(parts.values()) == total
    weight_sum = sum(weights.values())
    for key, weight in weights.items():
        assert abs(parts[key] - Fraction(total * weight, weight_sum)) < 1


@given(
    allocations=st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=10).filter(lambda parts: sum(parts) > 0),
    cuts=st.lists(st.integers(min_value=1, max_value=100_000), max_size=12),
)
def test_refund_steps_never_reverse_upwards_and_end_at_exactly_zero(allocations, cuts):
    held = {f"part{index}": amount for index, amount in enumerate(allocations)}
    original = dict(held)
    for cut in cuts:
        step = min(cut, sum(held.values()))
        if step == 0:
            break
        entries = reversal_step(held=held, refund_fen=step)
        assert sum(entries.values()) == -step  # each step sums exactly to its refund
        assert all(-held[key] <= entries[key] <= 0 for key in held)  # never positive, never more than held
        held = {key: held[key] + entries[key] for key in held}
    last = reversal_step(held=held, refund_fen=sum(held.values()))
    assert {key: held[key] + last[key] for key in held} == dict.fromkeys(original, 0)  # ends at exactly zero


@given(amount=st.integers(min_value=1, max_value=1_000_000), quantity=quantities, policy=policies(), cuts=st.lists(st.integers(min_value=1, max_value=10**6), max_size=6))
def test_partial_refunds_of_a_split_line_reverse_it_exactly(amount, quantity, policy, cuts):
    original = split_line(amount_fen=amount, quantity=quantity, policy=policy)
    held = dict(original)
    for cut in cuts:
        step = min(cut, sum(held.values()))
        if step == 0:
            break
        entries = reversal_step(held=held, refund_fen=step)
        assert sum(entries.values()) == -step and all(value <= 0 for value in entries.values())
        held = {key: held[key] + entries[key] for key in held}
    entries = reversal_step(held=held, refund_fen=sum(held.values()))
    reversed_total = {key: original[key] - held[key] - entries[key] for key in original}
    assert reversed_total == original  # a full refund reverses everything
