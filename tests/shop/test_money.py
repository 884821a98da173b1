"""Formatting integer fen for people and for files."""

import pytest

from shop.money import format_fen, plain_yuan


@pytest.mark.parametrize(("fen", "shown"), [(1230, "¥12.30"), (-5, "-¥0.05"), (1234500, "¥12,345.00"), (0, "¥0.00")])
def test_format_fen_shows_yuan_with_separators(fen, shown):
    assert format_fen(fen) == shown


@pytest.mark.parametrize(("fen", "plain"), [(3326, "33.26"), (-5, "-0.05"), (123456, "1234.56"), (0, "0.00"), (-100, "-1.00")])
def test_plain_yuan_has_no_symbol_and_no_separators(fen, plain):
    assert plain_yuan(fen) == plain
