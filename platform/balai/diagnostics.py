"""Diagnostics for operators: what the processes really run on."""

from __future__ import annotations

import platform
import sys

from balai.celery_app import PlatformTask, app


def python_info() -> dict[str, str]:
    """The interpreter and the ``platform`` module a process uses.

    ``platform_module_file`` must be the standard library's platform.py: the repo's
    platform/ folder is deliberately not a package, and if it ever became importable as
    ``platform`` it would shadow the standard library for celery and sentry-sdk.
    """
    return {
        "python_version": platform.python_version(),
        "platform_module_file": platform.__file__,
        "executable": sys.executable,
    }


@app.task(
    base=PlatformTask,
    name="balai.diagnostics.python_info",
    queue="platform",
    time_limit=30,
    soft_time_limit=20,
)
def python_info_task() -> dict[str, str]:
    return python_info()
