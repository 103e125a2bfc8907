"""Reads of import and export jobs that the API and the pages share. Village schema."""

from __future__ import annotations

from django.db.models import QuerySet

from balai.errors import BalaiError
from services.imports.models import ImportJob


def import_job_get(*, job_id: int) -> ImportJob:
    # Jobs live in the village schema of the request's host: no other village's job can
    # be reached from here, whatever the id.
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise BalaiError.single("job", "not_found", "Data tidak ditemukan.", "Not found.", 404)
    return job


def import_jobs_recent(*, limit: int = 10) -> QuerySet[ImportJob]:
    """The latest jobs without their (possibly long) reports."""
    return ImportJob.objects.defer("report").order_by("-created_at", "-id")[:limit]
