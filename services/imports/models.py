from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    RESIDENT_IMPORT = "resident_import", _("Impor penduduk")
    RESIDENT_EXPORT = "resident_export", _("Ekspor penduduk")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    RUNNING = "running", _("Berjalan")
    FINISHED = "finished", _("Selesai")
    FAILED = "failed", _("Gagal")


class ImportMode(models.TextChoices):
    # Import nothing when any row is bad, or import the good rows and report the others.
    ALL_OR_NOTHING = "all_or_nothing", _("Semua atau tidak sama sekali")
    GOOD_ROWS = "good_rows", _("Hanya baris yang benar")


class ImportJob(models.Model):
    """One import (or export) of a file, run by a worker, with its progress and report.

    ``report`` is a list of ``{row, field, code, level, message, message_en}``: ``row`` is
    the spreadsheet row (the header is row 1), ``field`` the column key of the template.
    ``sha256`` of the uploaded file recognises a re-upload of a byte-identical file.
    """

    kind = models.CharField(max_length=20, choices=JobKind.choices)
    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    mode = models.CharField(max_length=16, choices=ImportMode.choices, blank=True, default="")
    file_name = models.CharField(max_length=255, blank=True, default="")
    file_format = models.CharField(max_length=4, blank=True, default="")  # "xlsx" or "csv"
    file_size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # An explicit repeat of a file imported before (the user asked for it).
    forced = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    warning_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)
    report_truncated = models.BooleanField(default=False)
    # Why a job failed as a whole: "rows_invalid" (all_or_nothing with bad rows),
    # "file_invalid" (found unreadable by the worker), "conflict" (the register changed
    # while writing: run again) or "internal".
    failure_code = models.CharField(max_length=20, blank=True, default="")
    failure_message = models.CharField(max_length=500, blank=True, default="")
    created_by_id = models.BigIntegerField(null=True, blank=True)  # accounts.User in public
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live or successful import per byte-identical file, unless repeated on
            # purpose: two quick uploads of one file cannot both be queued.
            # Plain equalities, no IN: PostgreSQL prints "status IN (...)" on a varchar in a
            # form that reads back differently, and village schemas are replayed from a
            # dump of the template (tenants.provisioning).
            models.UniqueConstraint(
                fields=["sha256"],
                condition=Q(kind="resident_import", forced=False)
                & (Q(status="queued") | Q(status="running") | Q(status="finished")),
                name="importjob_one_per_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def is_over(self) -> bool:
        return self.status in (JobStatus.FINISHED, JobStatus.FAILED)


class JobFileRole(models.TextChoices):
    UPLOAD = "upload", _("Berkas unggahan")
    RESULT = "result", _("Berkas hasil")


class JobFile(models.Model):
    """The bytes of an uploaded file (until its import has run) or of an export's result.

    Kept in the database, not on a local disk, so any worker can read what any web
    process received. An upload holds personal data: it is deleted once its job is over.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=10, choices=JobFileRole.choices)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "role"], name="jobfile_one_per_role"),
        ]

    def __str__(self) -> str:
        return f"JobFile {self.pk} ({self.role})"
