"""Formatting integer fen and basis points for people and for files, in Python and in JavaScript."""

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Template

from shop.forms import YuanField
from shop.money import format_fen, format_rate, percent_bp, plain_yuan, yuan_to_fen
from shop.templatetags.shop_tags import percent_of, rate
from tests.conftest import require


@pytest.mark.parametrize(("fen", "shown"), [(1230, "¥12.30"), (-5, "-¥0.05"), (1234500, "¥12,345.00"), (0, "¥0.00")])
def test_format_fen_shows_yuan_with_separators(fen, shown):
    assert format_fen(fen) == shown


@pytest.mark.parametrize(("fen", "plain"), [(3326, "33.26"), (-5, "-0.05"), (123456, "1234.56"), (0, "0.00"), (-100, "-1.00")])
def test_plain_yuan_has_no_symbol_and_no_separators(fen, plain):
    assert plain_yuan(fen) == plain


@pytest.mark.parametrize(
    ("rate_bp", "shown"),
    [(800, "8%"), (550, "5.5%"), (1234, "12.34%"), (5, "0.05%"), (0, "0%"), (10_000, "100%"), (-25, "-0.25%")],
)
def test_format_rate_shows_basis_points_as_a_percentage_without_trailing_zeros(rate_bp, shown):
    assert format_rate(rate_bp) == shown


@pytest.mark.parametrize(("part", "whole", "shown"), [(1, 3, "33.33%"), (2, 3, "66.67%"), (1, 8, "12.5%"), (0, 5, "0%"), (3, 0, "0%")])
def test_percent_of_rounds_a_share_half_up_to_the_basis_point(part, whole, shown):
    assert percent_of(part, whole) == shown


def test_the_rate_filter_is_empty_for_no_rate():
    assert rate(None) == "" and rate(500) == "5%"


@pytest.mark.parametrize(
    ("amount", "fen"),
    [(Decimal("12.30"), 1230), (Decimal("0.07"), 7), ("¥1,234.50", 123450), ("￥ 99", 9900), ("-0.05", -5), (Decimal("1E+2"), 10_000)],
)
def test_yuan_to_fen_is_exact(amount, fen):
    assert yuan_to_fen(amount) == fen


@pytest.mark.parametrize("amount", [Decimal("0.001"), "12.345", "abc", "", "NaN", "Infinity"])
def test_yuan_to_fen_refuses_what_is_not_a_whole_number_of_fen(amount):
    with pytest.raises(ValueError):
        yuan_to_fen(amount)


def test_the_yuan_field_reads_an_amount_pasted_from_a_page():
    field = YuanField()
    assert field.clean("¥1,234.50") == Decimal("1234.50")
    with pytest.raises(ValidationError):
        field.clean("1.234")


# --- the same formatter in JavaScript ------------------------------------------------------------

MONEY_JS = Path(settings.BASE_DIR) / "shop" / "static" / "shop" / "money.js"
FEN_TABLE = [0, 1, 99, 100, 12345, 10_000_000, -1, -5, -12345, -10_000_000, 123_456_789_012]
YUAN_TEXTS = ["99", "99.5", "99.50", "¥1,299.50", "￥12", " 7 ", "0.07", "1,234,567.89"]


def _node(expression: str):
    require(shutil.which("node") is not None, "node is not installed (apt-get install nodejs)")
    script = f"const money = require({json.dumps(str(MONEY_JS))}); process.stdout.write(JSON.stringify({expression}));"
    return json.loads(subprocess.run(["node", "-e", script], check=True, capture_output=True, text=True, timeout=30).stdout)


def test_javascript_formats_fen_exactly_as_python():
    shown = _node(f"{json.dumps(FEN_TABLE)}.map(money.formatFen)")
    assert shown == [format_fen(fen) for fen in FEN_TABLE]
    assert shown[FEN_TABLE.index(10_000_000)] == "¥100,000.00"


def test_javascript_reads_typed_yuan_exactly_as_python():
    assert _node(f"{json.dumps(YUAN_TEXTS)}.map(money.yuanToFen)") == [yuan_to_fen(text) for text in YUAN_TEXTS]


def test_javascript_refuses_what_it_cannot_read_exactly():
    # "99,5" is a decimal comma to some and 995 yuan to others: better refused than misread.
    assert _node('["1.234", "abc", "", "99,5", "12,34"].map(money.yuanToFen)') == [None] * 5


@pytest.mark.parametrize(("amount_fen", "text"), [(2500050, "¥25,000"), (0, "¥0"), (-199, "-¥1"), (99, "¥0")])
def test_whole_yuan_for_a_charts_axis_drops_the_fen(amount_fen, text):
    assert format_fen(amount_fen, whole=True) == text


@pytest.mark.parametrize(("value", "text"), [(12.5, "12.5%"), (0.0, "0%"), (100.0, "100%"), (33.333, "33.33%"), (-7.25, "-7.25%"), (0.005, "0.01%")])
def test_a_percentage_computed_as_a_number_shows_like_every_rate(value, text):
    assert format_rate(percent_bp(value)) == text
    assert Template("{% load shop_tags %}{{ value|percent }}").render(Context({"value": value})) == text
