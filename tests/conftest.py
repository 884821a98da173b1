"""Suite-wide fixtures.

The demo catalogue is loaded once into the test database (it is what the pages, the API and
the browser tests look at); each test runs in a transaction rolled back afterwards. A
transactional test's flush empties the database: `demo_loaded` writes back a snapshot of it
taken after the load, which is far cheaper than loading the demo again.

A test that needs a service the machine lacks (chromium, PostgreSQL, docker-compose) is
skipped with the reason, except when REQUIRE_SERVICES=1 (as in CI), where it fails instead.
"""

import os
import shutil
import tempfile

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def require(condition: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a service a test needs is missing."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config):
    # Uploaded and generated images go to a throwaway folder, never into var/media.
    media = tempfile.mkdtemp(prefix="am-test-media-")
    settings.MEDIA_ROOT = media
    config.add_cleanup(lambda: shutil.rmtree(media, ignore_errors=True))
    # The catalogue search index too: one per test session, so parallel runs never share one.
    search_dir = tempfile.mkdtemp(prefix="am-test-search-")
    settings.SEARCH_INDEX_DIR = search_dir
    config.add_cleanup(lambda: shutil.rmtree(search_dir, ignore_errors=True))
    # Test users log in; nothing here defends a password. The production hashers cost about
    # 0.3 s per user created, so tests use the fastest one Django ships (tests only).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    from cms.demo.loader import demo_load
    from tests.db_snapshot import DatabaseSnapshot

    with django_db_blocker.unblock():
        # The catalogue only: tests of the ledger build the sales they look at.
        demo_load(activity=False)
        return DatabaseSnapshot.take(connection)


@pytest.fixture
def demo_loaded(db, django_db_setup):
    """The demo catalogue, written back from the session's snapshot if a transactional test
    before this one flushed it."""
    from django.db import connection

    from shop.models import ProductPage

    if not ProductPage.objects.exists():
        django_db_setup.restore(connection)


@pytest.fixture(scope="session")
def demo_search_index_dir(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo catalogue's embedded search index, built once per session."""
    from django.db import connection
    from django.test import override_settings

    from search.indexing import product_index_rebuild
    from shop.models import ProductPage

    directory = tmp_path_factory.mktemp("demo-search")
    with django_db_blocker.unblock(), override_settings(SEARCH_BACKEND="embedded", SEARCH_INDEX_DIR=directory):
        if not ProductPage.objects.exists():  # a transactional test before this one flushed the demo
            django_db_setup.restore(connection)
        product_index_rebuild()
    return directory


@pytest.fixture
def demo_search_index(settings, demo_search_index_dir):
    """The configured search reads the session's index of the demo catalogue.

    For tests that only search: the demo's rows have the same ids in every test (transactional
    ones get them back from the snapshot), so one index serves them all. Tests that change the
    index build their own (tests/search/conftest.py: search_dir).
    """
    settings.SEARCH_BACKEND = "embedded"
    settings.SEARCH_INDEX_DIR = demo_search_index_dir
    return demo_search_index_dir


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("root-admin", "root@example.com", "pw-for-tests-only")


@pytest.fixture
def editor(db, django_user_model):
    """A staff member in Wagtail's Editors group, with snippet permissions on participants."""
    from django.contrib.auth.models import Group, Permission

    user = django_user_model.objects.create_user("editor", "editor@example.com", "pw-for-tests-only")
    group = Group.objects.get(name="Editors")
    for codename in ("view_participant", "change_participant", "add_participant", "change_stockrecord", "view_stockrecord"):
        group.permissions.add(Permission.objects.get(codename=codename))
    user.groups.add(group)
    return user

pytest_plugins = ["tests.stripe_fixtures"]
