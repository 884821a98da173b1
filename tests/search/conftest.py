"""Fixtures for the catalogue search: indexes built from the session's demo catalogue.

The contract suite runs against every backend: the embedded one always; Elasticsearch when
ELASTICSEARCH_URL is set. No Elasticsearch server can be installed on the project's machines or
in CI, so its absence is a plain skip with the reason, never a REQUIRE_SERVICES failure.
"""

import os
import uuid

import pytest

from search.documents import document_build, product_sources

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
STARTER_SYNONYMS = {"蛭子": "蛏子, 缢蛏, chengzi", "石斛": "枫斗, 铁皮枫斗", "刺绣": "绣品, 手绣"}


def ensure_catalogue() -> None:
    """The demo catalogue and the starter synonyms, even after a transactional test flushed them."""
    from cms.demo.loader import demo_load
    from search.models import Synonym
    from search.synonyms import synonym_map_clear

    demo_load(activity=False)
    for term, variants in STARTER_SYNONYMS.items():
        Synonym.objects.get_or_create(term=term, defaults={"variants": variants})
    synonym_map_clear()


def demo_documents() -> list:
    return [document_build(source) for source in product_sources()]


def _embedded(directory):
    from search.backends.embedded import EmbeddedBackend

    return EmbeddedBackend(directory=directory, index_name="contract")


def _elasticsearch():
    if not ELASTICSEARCH_URL:
        pytest.skip(
            "Elasticsearch contract run skipped: set ELASTICSEARCH_URL to a reachable server to run it "
            "(none can be installed here; the mapping and query bodies are checked in test_elastic_bodies.py)"
        )
    from elasticsearch import Elasticsearch

    from search.backends.elastic import ElasticsearchBackend

    connection = Elasticsearch(ELASTICSEARCH_URL, request_timeout=10)
    return ElasticsearchBackend(connection=connection, alias=f"test-catalogue-{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="module", params=["embedded", "elasticsearch"])
def contract_backend(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """A backend holding the demo catalogue, built through the same rebuild path as production."""
    backend = _embedded(tmp_path_factory.mktemp("contract")) if request.param == "embedded" else _elasticsearch()
    with django_db_blocker.unblock():
        ensure_catalogue()
        backend.rebuild(demo_documents())
    yield backend
    if request.param == "elasticsearch":
        for name in backend._indices():
            backend.connection.indices.delete(index=name, ignore_unavailable=True)


@pytest.fixture
def search_dir(settings, tmp_path):
    """A fresh embedded index directory for one test, used by the configured backend."""
    settings.SEARCH_BACKEND = "embedded"
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    return settings.SEARCH_INDEX_DIR
