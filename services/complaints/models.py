from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ComplaintStatus(models.TextChoices):
    NEW = "new", _("Baru")
    IN_PROGRESS = "in_progress", _("Diproses")
    RESOLVED = "resolved", _("Selesai")
    REJECTED = "rejected", _("Ditolak")


OPEN_STATUSES = (ComplaintStatus.NEW, ComplaintStatus.IN_PROGRESS)
CLOSED_STATUSES = (ComplaintStatus.RESOLVED, ComplaintStatus.REJECTED)


class ComplaintSettings(models.Model):
    """The village's complaint settings: one row (id=1), seeded at onboarding."""

    # Days past a complaint's target before it is escalated to the kecamatan.
    escalate_after_days = models.PositiveSmallIntegerField(default=3)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="complaint_settings_singleton"),
        ]

    def __str__(self) -> str:
        return f"escalate after {self.escalate_after_days} days"


class ComplaintCategory(models.Model):
    """A kind of complaint; its ``code`` is the Open311 service_code."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    name_en = models.CharField(max_length=80, blank=True, default="")
    description = models.CharField(max_length=255, blank=True, default="")
    group = models.CharField(max_length=60, blank=True, default="")
    # How long the village gives itself to resolve one, counted from filing.
    target_hours = models.PositiveIntegerField(default=120)
    # Extra questions, as Open311 service definition attributes (variable, code, datatype,
    # required, description, order, values); empty for categories that need none.
    attributes = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Complaint(models.Model):
    """One complaint. Reached by its tracking code, never by its sequential id, from outside."""

    tracking_code = models.CharField(max_length=10, unique=True)
    category = models.ForeignKey(ComplaintCategory, on_delete=models.PROTECT, related_name="+")
    description = models.TextField()
    status = models.CharField(
        max_length=12, choices=ComplaintStatus.choices, default=ComplaintStatus.NEW
    )
    is_public = models.BooleanField(default=True)
    # Abusive content hidden from the public by staff; the complaint itself stays handled.
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=255, blank=True, default="")
    # Who filed it: a resident of this village, or an anonymous person with a phone number.
    resident = models.ForeignKey(
        "residents.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    reporter_name = models.CharField(max_length=120, blank=True, default="")
    reporter_phone = models.CharField(max_length=16, blank=True, default="", db_index=True)
    reporter_email = models.EmailField(blank=True, default="")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    area = models.ForeignKey(
        "village.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(max_length=255, blank=True, default="")
    attributes = models.JSONField(default=dict, blank=True)
    # A global user id (accounts.User lives in the public schema): checked against the
    # village's staff when assigned, never a foreign key across schemas.
    assigned_user_id = models.BigIntegerField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    rejection_reason = models.CharField(max_length=255, blank=True, default="")
    filed_via = models.CharField(max_length=10, default="api")  # api, open311, web
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    target_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Overdue and escalation sweeps: open complaints (closed_at is set exactly when
            # a complaint closes) by target time. ``IS NULL`` rather than ``status IN (...)``:
            # pg_dump prints an IN-list predicate differently from migrate, and village
            # schemas are replayed from a dump (tenants.provisioning).
            models.Index(
                fields=["target_at"],
                condition=Q(closed_at__isnull=True),
                name="complaint_open_target_idx",
            ),
            models.Index(fields=["created_at"], name="complaint_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="complaint_rejected_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, *, now: datetime | None = None) -> bool:
        return self.is_open and self.target_at < (now or timezone.now())

    @property
    def is_publicly_listed(self) -> bool:
        return self.is_public and not self.is_hidden


class ComplaintPhoto(models.Model):
    """A re-encoded photo stored at MEDIA_ROOT/villages/<schema>/complaints/<name>."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    # Random, made by us (never the uploaded file name); unique inside the village.
    name = models.CharField(max_length=40, unique=True)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class UpdateKind(models.TextChoices):
    FILED = "filed", _("Diajukan")
    STATUS = "status", _("Perubahan status")
    NOTE = "note", _("Catatan")
    ASSIGNED = "assigned", _("Ditugaskan")
    MERGED = "merged", _("Digabung")
    HIDDEN = "hidden", _("Disembunyikan")
    SHOWN = "shown", _("Ditampilkan")
    ESCALATED = "escalated", _("Dieskalasi")


class ComplaintUpdate(models.Model):
    """The history of a complaint: every change with who, when and a note.

    ``is_public`` notes are shown on the tracking page; internal ones only to staff.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=UpdateKind.choices)
    from_status = models.CharField(max_length=12, blank=True, default="")
    to_status = models.CharField(max_length=12, blank=True, default="")
    note = models.TextField(blank=True, default="")
    is_public = models.BooleanField(default=False)
    actor_user_id = models.BigIntegerField(null=True, blank=True)  # staff (global user id)
    actor_kind = models.CharField(max_length=10)  # staff, resident, reporter, system
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
