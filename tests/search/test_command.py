import json
from pathlib import Path

import pytest
from django.core.management import call_command

from search.backends import get_backend

pytestmark = pytest.mark.django_db


def test_rebuild_indexes_every_live_product_and_swaps_in_a_new_file(search_dir, capsys):
    call_command("search_index", "rebuild")
    first = get_backend().current_path()
    call_command("search_index", "rebuild")
    second = get_backend().current_path()

    out, err = capsys.readouterr()
    assert "Indexed 22 products" in out
    assert "22/22" in err and "[" + "#" * 30 + "]" in err
    assert first != second and second.exists() and not first.exists()
    assert sorted(p.name for p in Path(search_dir).glob("*.sqlite3")) == [second.name]


def test_status_reports_documents_and_what_should_be_indexed(search_dir, capsys):
    call_command("search_index", "rebuild")
    capsys.readouterr()
    call_command("search_index", "status")
    status = json.loads(capsys.readouterr().out)
    assert status["backend"] == "embedded"
    assert status["documents"] == status["searchable_products"] == 22
    assert status["built_at"]
