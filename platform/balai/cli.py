"""The ``balai`` console script: the one entry point.

``balai <django command> ...`` runs Django management commands (hyphens may stand for
underscores: ``balai onboard-village``). A few names are Balai's own:
``balai migrate`` (fast migration of the public schema and every village),
``balai worker`` and ``balai beat`` (Celery), ``balai demo`` (a working demo).
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "migrate": "migrate_villages",
}
CELERY_COMMANDS = {"worker", "beat"}


def _celery(command: str, args: list[str]) -> None:
    from celery.bin.celery import main as celery_main

    defaults: list[str] = []
    if command == "worker":
        if not any(a.startswith(("-l", "--loglevel")) for a in args):
            defaults += ["--loglevel", "INFO"]
        if not any(a.startswith(("-Q", "--queues")) for a in args):
            defaults += ["-Q", "default,platform"]
    sys.argv = ["celery", "-A", "balai", command, *defaults, *args]
    celery_main()


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balai.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        argv = ["help"]
    command, rest = argv[0], argv[1:]
    if command in CELERY_COMMANDS:
        _celery(command, rest)
        return
    command = ALIASES.get(command, command.replace("-", "_"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["balai", command, *rest])


if __name__ == "__main__":
    main()
