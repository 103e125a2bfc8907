"""Settings come from the environment; production refuses to start without real ones."""

import os
import subprocess
import sys

import pytest

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def _run(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "BALAI_ENV"}
    }
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        capture_output=True,
        text=True,
        env={**clean, "DJANGO_SETTINGS_MODULE": "balai.settings", **env},
        timeout=60,
    )


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL", "SECRET_KEY"])
def test_production_refuses_to_start_without_each_required_setting(missing):
    env = {
        "BALAI_ENV": "production",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://x@h/db"),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SECRET_KEY": "s" * 50,
    }
    del env[missing]
    result = _run(env)
    assert result.returncode != 0
    assert f"{missing} must be set when BALAI_ENV=production" in result.stderr


def test_production_starts_with_real_settings_and_debug_off():
    result = _run(
        {
            "BALAI_ENV": "production",
            "SECRET_KEY": "s" * 50,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_an_unknown_mode_is_refused():
    result = _run(
        {"BALAI_ENV": "staging", "DATABASE_URL": "postgres://x@h/db", "REDIS_URL": "redis://h/0"}
    )
    assert result.returncode != 0
    assert "BALAI_ENV must be development, test or production" in result.stderr


def test_production_collects_static_files_hashed_and_compressed(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in {"BALAI_ENV"}}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "balai.settings",
        "BALAI_ENV": "production",
        "SECRET_KEY": "s" * 50,
        "STATIC_ROOT": str(tmp_path),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "balai.cli", "collectstatic", "--noinput"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "balai/balai.css" in manifest and "balai/htmx.min.js" in manifest
    assert list(tmp_path.glob("balai/balai.*.css.gz"))
