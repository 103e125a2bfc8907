"""A newcomer needs only Python: without DATABASE_URL/REDIS_URL, development starts
an embedded PostgreSQL and Redis under the data folder."""

import os
import subprocess
import sys

import pytest

SCRIPT = """
import django
django.setup()
from django.conf import settings
from django.core.cache import cache
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT current_setting('server_version_num')::int / 10000")
    major = cursor.fetchone()[0]
cache.set("balai-devservices-check", "ok", 30)
print(major, cache.get("balai-devservices-check"), settings.DATABASES["default"]["NAME"])
"""
STOP = "from balai import devservices; devservices.stop()"


@pytest.fixture
def data_dir(tmp_path_factory):
    # pgserver runs PostgreSQL as an unprivileged user when we are root, so the folder must
    # be reachable by it: a short path under /tmp is.
    path = tmp_path_factory.mktemp("balai-data")
    path.chmod(0o755)
    yield path
    env = _env(path)
    subprocess.run([sys.executable, "-c", STOP], env=env, capture_output=True, timeout=120)


def _env(data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "BALAI_ENV": "development",
            "BALAI_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "balai.settings",
        }
    )
    return env


def test_development_without_urls_starts_embedded_postgresql_and_redis(data_dir):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    major, cached, name = result.stdout.split()[-3:]
    assert int(major) >= 15
    assert cached == "ok"
    assert name == "balai"
    assert (data_dir / "pg" / "PG_VERSION").exists()
    assert (data_dir / "redis" / "redis.sock").exists()
