"""The repo's platform/ folder never shadows the standard library's ``platform`` module.

celery, kombu and sentry-sdk call ``platform.python_version()`` and friends; if
platform/ were importable as ``platform`` they would fail at import or at first use.
Checked in the three kinds of process Balai runs: this Django test process, a fresh
process started by the ``balai`` console script, and the Celery worker.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from django.conf import settings

from balai.diagnostics import python_info, python_info_task

REPO_DIR = Path(__file__).resolve().parents[1]
STDLIB_DIR = Path(sysconfig.get_paths()["stdlib"]).resolve()
RUNNING_VERSION = "{}.{}.{}".format(*sys.version_info[:3])


def assert_is_the_stdlib_platform(info: dict) -> None:
    module_file = Path(info["platform_module_file"]).resolve()
    assert module_file.parent == STDLIB_DIR
    assert not module_file.is_relative_to(REPO_DIR)
    assert info["python_version"] == RUNNING_VERSION


def test_the_django_process_uses_the_standard_library_platform_module():
    # given: Django is set up, and the repo (which holds the platform/ folder) is on sys.path
    assert settings.INSTALLED_APPS
    assert str(REPO_DIR) in sys.path

    # then
    assert platform.python_version() == RUNNING_VERSION
    assert_is_the_stdlib_platform(python_info())


def test_a_process_started_by_the_balai_script_uses_the_standard_library_platform_module():
    # given: a fresh process in the repo directory, where "platform" is a folder
    command = (
        "import json, celery, sentry_sdk; "
        "from balai.diagnostics import python_info; "
        "print(json.dumps(python_info()))"
    )

    # when
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("balai")), "shell", "-c", command],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    # then
    assert completed.returncode == 0, completed.stderr
    assert_is_the_stdlib_platform(json.loads(completed.stdout.strip().splitlines()[-1]))


@pytest.mark.worker
def test_the_celery_worker_uses_the_standard_library_platform_module(db, live_worker):
    # when
    info = live_worker.result(python_info_task.apply_async())

    # then
    assert_is_the_stdlib_platform(info)
    assert Path(info["executable"]).parent == Path(sys.executable).parent
