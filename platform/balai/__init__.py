"""Balai control plane: settings, URL confs, the Celery app and the public-schema apps.

This package lives in the platform/ folder, which is deliberately not a package itself:
an importable ``platform`` would shadow the standard library module of that name.
"""

from balai.celery_app import app as celery_app

__all__ = ["celery_app"]
