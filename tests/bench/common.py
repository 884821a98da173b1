"""Django set-up against the throwaway cluster, catalogue fixtures, figures and results."""

import json
import math
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
RESULTS_DIR = BASE_DIR / "var" / "bench"


@dataclass
class Result:
    """What a benchmark measured: figures (numbers), params (how), violations (correctness)."""

    name: str
    figures: dict[str, float | int] = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.violations.append(message)

    def write(self) -> Path:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = RESULTS_DIR / f"{self.name}.json"
        payload = {"name": self.name, "figures": self.figures, "params": self.params}
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path


def setup_django(database_url: str) -> None:
    """Point Django at the throwaway database (before django.setup()) and migrate it.

    The run is hermetic: no Redis, broker, Elasticsearch or Stripe from the caller's environment,
    and DEBUG off so that Django does not keep a log of every query (as in production).
    """
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_ENV"] = "development"
    os.environ["DJANGO_DEBUG"] = "false"
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "ELASTICSEARCH_URL",
                 "STRIPE_SECRET_KEY", "STRIPE_API_BASE"):
        os.environ[name] = ""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", settings.DATABASES
    call_command("migrate", interactive=False, verbosity=0)


def base_params() -> dict:
    from django.conf import settings
    from django.db import connection

    from tests.bench import pg

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {
        "database": f"PostgreSQL {version} (throwaway cluster)",
        "postgres_settings": dict(pg.SETTINGS),
        "durability": "fsync, synchronous_commit and full_page_writes off (throwaway data)",
        "django_debug": settings.DEBUG,
        "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


def _catalogue():
    from wagtail.models import Page

    from shop.models import CatalogueIndexPage

    catalogue = CatalogueIndexPage.objects.first()
    if catalogue is None:
        catalogue = Page.get_first_root_node().add_child(
            instance=CatalogueIndexPage(title="商品", slug="bench-catalogue")
        )
    return catalogue


def make_product(*, slug: str, title: str, price_fen: int, stock: int, shipping_profile: str = "ambient") -> str:
    """A live product page with one variant, `stock` units received; returns its SKU.

    Plain ORM and Wagtail's tree API (no factories: factory_boy is a test tool), stock only
    through shop.inventory like everything else.
    """
    from shop.inventory import stock_receive
    from shop.models import Alliance, Category, Cooperative, ProductPage, ProductVariant

    alliance, _ = Alliance.objects.get_or_create(slug="bench", defaults={"name": "基准片区", "district": "象山县"})
    cooperative, _ = Cooperative.objects.get_or_create(
        slug="bench-coop", defaults={"name": "基准强村公司", "alliance": alliance}
    )
    category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "基准分类"})
    sku = f"{slug.upper()}-1"
    product = ProductPage(
        title=title, slug=slug, cooperative=cooperative, category=category, shipping_profile=shipping_profile
    )
    product.variants = [ProductVariant(sku=sku, label="500g", price_fen=price_fen, sort_order=0)]
    _catalogue().add_child(instance=product)
    product.save_revision().publish()
    stock_receive(sku=sku, quantity=stock, reason="benchmark opening stock")
    return sku


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0–100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)
