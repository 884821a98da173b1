"""Production settings: `check --deploy` is clean with the README's values, and a missing
secret stops the process."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "x7#kq2!v9pz$w4m8r1t6y3u0i5o2p7a9s4d6f8g1h3j5k7l9-Qw3Er5Ty7",
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "sqlite:////tmp/am-deploy-check.sqlite3",
}


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_prints_no_warning_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_development_check_deploy_warns_so_nobody_ships_it():
    result = _manage("check", "--deploy", env={"DJANGO_ENV": "development"})
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on


def test_production_refuses_a_short_secret_key():
    result = _manage("check", env=PRODUCTION_ENV | {"DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "at least 50" in result.stderr


def test_docker_compose_file_is_valid():
    import shutil

    from tests.conftest import require

    require(shutil.which("docker-compose") is not None, "docker-compose (Debian package) is not installed")
    result = subprocess.run(["docker-compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    services = subprocess.run(["docker-compose", "config", "--services"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert set(services) == {"web", "worker", "beat", "postgres", "redis", "elasticsearch", "media"}
