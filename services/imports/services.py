"""Import and export jobs of the resident register. Run with the village schema active.

The request checks the file and queues a job (``resident_import_start``); the worker runs
it (``resident_import_run``), writing progress to the job row as it validates, then all
the rows in one transaction. An xlsx export runs the same way (``resident_export_start``,
``resident_export_run``) and leaves its file on the job for download.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from balai.errors import BalaiError
from services.audit.models import AuditAction
from services.audit.services import audit_record
from services.imports.models import (
    ImportJob,
    ImportMode,
    JobFile,
    JobFileRole,
    JobKind,
    JobStatus,
)
from services.residents import exporting, importing

logger = logging.getLogger(__name__)

# The shortest time between two progress writes of a job.
PROGRESS_SECONDS = 0.25
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user_id(actor: Any) -> int | None:
    if actor is None or getattr(actor, "is_resident", False):
        return None
    return actor.pk


def import_job_duplicate(*, sha256: str) -> ImportJob | None:
    """The queued, running or finished import of a byte-identical file, if any."""
    return (
        ImportJob.objects.filter(
            kind=JobKind.RESIDENT_IMPORT,
            sha256=sha256,
            forced=False,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FINISHED],
        )
        .order_by("-id")
        .first()
    )


def resident_import_start(
    *, actor: Any, name: str, content: bytes, mode: str, force: bool = False
) -> tuple[ImportJob, bool]:
    """Check the file, store it and queue its import. Returns (job, created).

    A byte-identical file already imported (or being imported) is recognised by its
    SHA-256 and answered with that earlier job, unless ``force`` asks to import it again.
    """
    if mode not in ImportMode.values:
        raise BalaiError.single(
            "mode",
            "invalid_choice",
            f"Mode harus salah satu dari: {', '.join(ImportMode.values)}.",
            f"The mode must be one of: {', '.join(ImportMode.values)}.",
        )
    inspected = importing.register_file_inspect(name=name, content=content)
    sha256 = hashlib.sha256(content).hexdigest()
    if not force and (earlier := import_job_duplicate(sha256=sha256)) is not None:
        return earlier, False
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=JobKind.RESIDENT_IMPORT,
                mode=mode,
                file_name=name[:255],
                file_format=inspected.file_format,
                file_size=len(content),
                sha256=sha256,
                forced=force,
                total=inspected.rows_declared or 0,
                created_by_id=_user_id(actor),
            )
            JobFile.objects.create(
                job=job,
                role=JobFileRole.UPLOAD,
                name=name[:255],
                content_type="text/csv" if inspected.file_format == "csv" else XLSX_CONTENT_TYPE,
                content=content,
            )
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                object_type="import_job",
                object_id=job.pk,
                detail={"mode": mode, "format": inspected.file_format, "bytes": len(content)},
            )
            _enqueue_on_commit(job)
    except IntegrityError:
        # Two uploads of one file at the same moment: the other one won the unique key.
        earlier = import_job_duplicate(sha256=sha256)
        if earlier is None:
            raise
        return earlier, False
    return job, True


def resident_import_upload(
    *, actor: Any, upload: Any, mode: str, force: bool = False
) -> tuple[ImportJob, bool]:
    """``resident_import_start`` for an uploaded file (API and staff page): its size checked
    before it is read (Django spools a huge upload to disk, not to memory)."""
    importing.register_file_size_check(size=upload.size)
    return resident_import_start(
        actor=actor, name=upload.name, content=upload.read(), mode=mode, force=force
    )


def _enqueue_on_commit(job: ImportJob) -> None:
    # Imported here, not at the top: tasks imports this module (a real cycle).
    from services.imports.tasks import import_job_run

    job_id = job.pk
    transaction.on_commit(lambda: import_job_run.apply_async(kwargs={"job_id": job_id}))


def import_job_claim(*, job_id: int) -> ImportJob | None:
    """Mark a job running and return it; None when it is over (a redelivered message).

    A job still "running" is claimed again: with acks_late the message comes back only
    when the worker running it died, and the rows are written in one transaction that
    then never committed.
    """
    claimed = ImportJob.objects.filter(
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING), pk=job_id
    ).update(status=JobStatus.RUNNING, started_at=timezone.now(), done=0)
    if not claimed:
        return None
    return ImportJob.objects.get(pk=job_id)


def _job_finish(job: ImportJob, *, status: str, **fields: Any) -> ImportJob:
    fields.update(status=status, finished_at=timezone.now())
    for name, value in fields.items():
        setattr(job, name, value)
    with transaction.atomic():
        job.save(update_fields=[*fields, "updated_at"])
        # The upload holds personal data: it is kept no longer than its import.
        JobFile.objects.filter(job=job, role=JobFileRole.UPLOAD).delete()
    return job


def resident_import_run(*, job_id: int) -> ImportJob | None:
    job = import_job_claim(job_id=job_id)
    if job is None:
        return None
    upload = JobFile.objects.filter(job=job, role=JobFileRole.UPLOAD).first()
    if upload is None:
        return _job_finish(
            job,
            status=JobStatus.FAILED,
            failure_code="file_invalid",
            failure_message="The uploaded file is gone.",
        )

    last_written = time.monotonic()

    def progress(done: int, total: int) -> None:
        # Each write is a commit of its own: at most a few a second, however fast the rows.
        nonlocal last_written
        if time.monotonic() - last_written >= PROGRESS_SECONDS:
            ImportJob.objects.filter(pk=job.pk).update(done=done, total=total)
            last_written = time.monotonic()

    try:
        header, rows = importing.register_file_rows(
            file_format=job.file_format, content=bytes(upload.content)
        )
        del upload
        columns = importing.columns_match(header)
        job.total = len(rows)
        ImportJob.objects.filter(pk=job.pk).update(total=job.total)
        check = importing.register_rows_check(rows=rows, columns=columns, on_progress=progress)
    except BalaiError as error:
        return _job_finish(
            job,
            status=JobStatus.FAILED,
            failure_code="file_invalid",
            failure_message=str(error)[:500],
            report=[{"row": None, "level": "error", **e.as_dict()} for e in error.errors],
        )
    outcome = {
        "done": check.total,
        "total": check.total,
        "report": check.report,
        "report_truncated": check.report_truncated,
        "error_rows": check.error_rows,
        "warning_rows": check.warning_rows,
    }
    if check.error_rows and job.mode == ImportMode.ALL_OR_NOTHING:
        return _job_finish(
            job,
            status=JobStatus.FAILED,
            failure_code="rows_invalid",
            failure_message=f"{check.error_rows} row(s) have errors; nothing was imported.",
            **outcome,
        )
    try:
        written = importing.register_rows_write(
            rows=check.rows, actor_id=job.created_by_id, job_id=job.pk
        )
    except IntegrityError:
        # Someone registered one of these NIKs (or KKs) while the import was writing; the
        # import rolled back whole, and running it again will update that person.
        return _job_finish(
            job,
            status=JobStatus.FAILED,
            failure_code="conflict",
            failure_message="The register changed during the import; nothing was "
            "imported. Run the import again.",
            **outcome,
        )
    logger.info(
        "resident import finished",
        extra={"job_id": job.pk, "rows_created": written.created, "rows_updated": written.updated},
    )
    return _job_finish(
        job,
        status=JobStatus.FINISHED,
        created_count=written.created,
        updated_count=written.updated,
        unchanged_count=written.unchanged,
        **outcome,
    )


def import_job_fail(*, job_id: int, message: str) -> None:
    """Mark a job failed after an unexpected error in the worker (its rows rolled back)."""
    ImportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED,
        failure_code="internal",
        failure_message=message[:500],
        finished_at=timezone.now(),
    )
    JobFile.objects.filter(job_id=job_id, role=JobFileRole.UPLOAD).delete()


# --- export ------------------------------------------------------------------------------


def resident_export_csv_open(*, actor: Any) -> tuple[str, Iterator[str]]:
    """The whole register as CSV, streamed: the audit row of the export (who, how many),
    then the file's name and its chunks, for the API and the staff page alike."""
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="resident",
        detail={"format": "csv", "count": exporting.resident_export_count()},
    )
    name = f"penduduk-{timezone.localdate().isoformat()}.csv"
    return name, exporting.resident_export_csv_chunks()


@transaction.atomic
def resident_export_start(*, actor: Any) -> ImportJob:
    """Queue an .xlsx export of the register (too slow for a request: ~4 s per 20,000)."""
    job = ImportJob.objects.create(
        kind=JobKind.RESIDENT_EXPORT, file_format="xlsx", created_by_id=_user_id(actor)
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="resident",
        detail={"format": "xlsx", "job": job.pk},
    )
    job_id = job.pk
    from services.imports.tasks import export_job_run  # a real cycle, see _enqueue_on_commit

    transaction.on_commit(lambda: export_job_run.apply_async(kwargs={"job_id": job_id}))
    return job


def resident_export_run(*, job_id: int) -> ImportJob | None:
    job = import_job_claim(job_id=job_id)
    if job is None:
        return None

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(done=done)

    total = exporting.resident_export_count()
    ImportJob.objects.filter(pk=job.pk).update(total=total)
    content = exporting.resident_export_xlsx(on_progress=progress)
    name = f"penduduk-{timezone.localdate().isoformat()}.xlsx"
    with transaction.atomic():
        JobFile.objects.update_or_create(
            job=job,
            role=JobFileRole.RESULT,
            defaults={"name": name, "content_type": XLSX_CONTENT_TYPE, "content": content},
        )
        job = _job_finish(job, status=JobStatus.FINISHED, total=total, done=total)
    return job


def export_result_get(*, job: ImportJob, actor: Any) -> JobFile:
    result = JobFile.objects.filter(job=job, role=JobFileRole.RESULT).first()
    if result is None:
        raise BalaiError.single(
            "job",
            "not_ready",
            "Berkas belum siap.",
            "The file is not ready yet.",
            status=409,
        )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="resident",
        detail={"format": "xlsx", "job": job.pk, "download": True},
    )
    return result
