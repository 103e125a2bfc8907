"""Programmes, registrations and learning materials: the abstract shapes shared with the
village app (services.programmes) and the public-schema tables of what spans villages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class TargetGroup(models.TextChoices):
    ALL = "semua", _("Semua warga")
    YOUTH = "pemuda", _("Pemuda")
    WOMEN = "perempuan", _("Perempuan")
    ELDERLY = "lansia", _("Lansia")
    UMKM = "umkm", _("Pelaku UMKM")
    STAFF = "perangkat", _("Perangkat desa")


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    OPEN = "open", _("Pendaftaran dibuka")
    CLOSED = "closed", _("Pendaftaran ditutup")
    DONE = "done", _("Selesai")
    CANCELLED = "cancelled", _("Dibatalkan")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Terdaftar")
    WAITING = "waiting", _("Daftar tunggu")
    CANCELLED = "cancelled", _("Dibatalkan")


ACTIVE_REGISTRATION = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)


class MaterialTopic(models.TextChoices):
    DIGITAL = "literasi_digital", _("Literasi digital")
    AGRICULTURE = "pertanian", _("Pertanian")
    UMKM = "umkm", _("UMKM")
    HEALTH = "kesehatan", _("Kesehatan")
    BALAI = "layanan_balai", _("Layanan mandiri Balai")


class MaterialKind(models.TextChoices):
    GUIDE = "panduan", _("Panduan")
    VIDEO = "video", _("Video")


class ProgrammeBase(models.Model):
    title = models.CharField(max_length=160)
    description = models.TextField(blank=True, default="")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True, default="")
    online_url = models.URLField(max_length=400, blank=True, default="")
    capacity = models.PositiveIntegerField()
    target_group = models.CharField(max_length=10, choices=TargetGroup.choices)
    status = models.CharField(
        max_length=10, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    created_by_id = models.BigIntegerField(null=True, blank=True)  # accounts.User (public)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-starts_at", "-id"]
        # The services check both first, with a message; these catch any other writer.
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="%(app_label)s_%(class)s_capacity_min"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="%(app_label)s_%(class)s_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RegistrationBase(models.Model):
    status = models.CharField(max_length=10, choices=RegistrationStatus.choices)
    registered_by_id = models.BigIntegerField(null=True, blank=True)  # staff, or None: online
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    # Unguessable id printed in the certificate's QR code; set when attendance is taken.
    certificate_code = models.CharField(max_length=43, null=True, blank=True, unique=True)

    class Meta:
        abstract = True
        # The waiting list is served in this order: first come, first promoted.
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"registration {self.pk} ({self.status})"


class MaterialBase(models.Model):
    title = models.CharField(max_length=160)
    summary = models.TextField(blank=True, default="")
    topic = models.CharField(max_length=20, choices=MaterialTopic.choices)
    kind = models.CharField(max_length=10, choices=MaterialKind.choices)
    url = models.URLField(max_length=400)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["topic", "title", "id"]

    def __str__(self) -> str:
        return self.title


class KecamatanProgramme(ProgrammeBase):
    """A programme organised by a kecamatan supervisor for the villages of their kecamatan."""

    kecamatan_code = models.CharField(max_length=8, db_index=True)

    class Meta(ProgrammeBase.Meta):
        pass


class KecamatanRegistration(RegistrationBase):
    """A resident of one village registered for a kecamatan programme.

    Personal data kept here is only what the organiser needs (UU PDP 27/2022): the name
    shown on the attendance list and certificate, and a phone number to reach them if the
    programme moves (empty when the register has none). No NIK, address or family data.
    """

    programme = models.ForeignKey(
        KecamatanProgramme, on_delete=models.CASCADE, related_name="registrations"
    )
    village_code = models.CharField(max_length=13)
    resident_id = models.BigIntegerField()  # services.residents.Resident in that village
    display_name = models.CharField(max_length=120)
    phone = models.CharField(max_length=20, blank=True, default="")

    class Meta(RegistrationBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "village_code", "resident_id"],
                # Not status__in: an IN list does not survive the pg_dump replay of village
                # schemas byte for byte (tenants.provisioning compares index definitions).
                condition=~Q(status=RegistrationStatus.CANCELLED),
                name="kecamatan_registration_active_unique",
            ),
        ]
        indexes = [models.Index(fields=["village_code", "resident_id"], name="kec_reg_who")]


class LearningMaterial(MaterialBase):
    """A guide or video for every village, managed by platform admins."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta(MaterialBase.Meta):
        pass


class VillageDigitalAdoption(models.Model):
    """Per-village figures for supervisors, written by the worker (never per request)."""

    village_code = models.CharField(max_length=13, primary_key=True)
    kecamatan_code = models.CharField(max_length=8, db_index=True)
    kabupaten_code = models.CharField(max_length=5, db_index=True)
    village_name = models.CharField(max_length=120)
    families_total = models.PositiveIntegerField(default=0)
    families_with_account = models.PositiveIntegerField(default=0)
    letters_total = models.PositiveIntegerField(default=0)
    letters_online = models.PositiveIntegerField(default=0)
    programmes_held = models.PositiveIntegerField(default=0)
    village_attendances = models.PositiveIntegerField(default=0)
    kecamatan_attendances = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["village_code"]

    def __str__(self) -> str:
        return f"digital adoption of {self.village_code}"

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def household_account_share(self) -> float | None:
        return self._share(self.families_with_account, self.families_total)

    @property
    def online_letter_share(self) -> float | None:
        return self._share(self.letters_online, self.letters_total)
