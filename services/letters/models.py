from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from services.residents.models import Resident

DEFAULT_NUMBER_FORMAT = "{classification}/{seq:03d}/{village_code}/{month_roman}/{year}"


class SequenceScope(models.TextChoices):
    VILLAGE = "village", _("Satu urutan untuk semua surat")
    TYPE = "type", _("Satu urutan per jenis surat")


class LetterSettings(models.Model):
    """One row per village schema: how letters are numbered and who may sign them."""

    number_format = models.CharField(max_length=120, default=DEFAULT_NUMBER_FORMAT)
    sequence_scope = models.CharField(
        max_length=10, choices=SequenceScope.choices, default=SequenceScope.VILLAGE
    )
    # Staff roles (accounts.StaffRole values) that may sign: the kepala desa always, others
    # only when the village delegates signing to them.
    signer_roles = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="letter_settings_singleton"),
        ]

    def __str__(self) -> str:
        return "letter settings"


class FieldType(models.TextChoices):
    TEXT = "text", _("Teks")
    DATE = "date", _("Tanggal")
    NUMBER = "number", _("Angka")
    CHOICE = "choice", _("Pilihan")


class LetterType(models.Model):
    """A kind of letter the village issues, with its wording and what it needs.

    ``fields`` is the small schema of data asked beyond the resident's own record:
    ``[{"name", "label", "type": text|date|number|choice, "required", "choices"?}]``.
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    # Kode klasifikasi arsip (Permendagri 83/2022 on naskah dinas): 470 kependudukan, ...
    classification_code = models.CharField(max_length=20)
    fields = models.JSONField(default=list, blank=True)
    requirements = models.JSONField(default=list, blank=True)  # syarat: documents to bring
    validity_days = models.PositiveIntegerField(default=30)
    online_allowed = models.BooleanField(default=True)
    title = models.CharField(max_length=160)
    template = models.TextField()
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.code


class LetterCounter(models.Model):
    """The last number given in a year, per scope ("" for the whole village, or a type code).

    Incremented by an upsert inside the signing transaction: the row stays locked until
    that transaction ends, so concurrent signers queue and a rolled-back signing gives
    its number back.
    """

    year = models.PositiveIntegerField()
    scope = models.CharField(max_length=40, blank=True, default="")
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "scope"], name="letter_counter_year_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.year}/{self.scope or '*'}: {self.value}"


class LetterStatus(models.TextChoices):
    REQUESTED = "requested", _("Diajukan")
    RETURNED = "returned", _("Dikembalikan (belum lengkap)")
    VERIFIED = "verified", _("Diverifikasi, menunggu tanda tangan")
    SIGNED = "signed", _("Ditandatangani")
    READY = "ready", _("Siap diambil/diunduh")
    PICKED_UP = "picked_up", _("Sudah diambil")
    REJECTED = "rejected", _("Ditolak")
    CANCELLED = "cancelled", _("Dibatalkan")
    REVOKED = "revoked", _("Dicabut")


ISSUED_STATUSES = (LetterStatus.SIGNED, LetterStatus.READY, LetterStatus.PICKED_UP)


class Channel(models.TextChoices):
    ONLINE = "online", _("Daring oleh warga")
    COUNTER = "counter", _("Di loket oleh petugas")


class Letter(models.Model):
    """A request for a letter and, once signed, the letter itself.

    At signing the rendered body and everything printed on the letter are stored in
    ``issued``, so a re-print shows exactly what was signed even if the template, the
    village's name or the resident's record change afterwards.
    """

    letter_type = models.ForeignKey(LetterType, on_delete=models.PROTECT, related_name="letters")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="letters")
    status = models.CharField(
        max_length=10, choices=LetterStatus.choices, default=LetterStatus.REQUESTED
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    field_values = models.JSONField(default=dict, blank=True)
    number = models.CharField(max_length=80, null=True, blank=True, unique=True)
    number_year = models.PositiveIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    # Unguessable id printed in the QR code; never the sequence or the primary key.
    token = models.CharField(max_length=43, null=True, blank=True, unique=True)
    issued = models.JSONField(default=dict, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by_id = models.BigIntegerField(null=True, blank=True)  # accounts.User in public
    revoked_reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="letter_status_idx"),
            models.Index(fields=["resident", "created_at"], name="letter_resident_idx"),
        ]

    def __str__(self) -> str:
        return f"Letter {self.pk}"


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Petugas")
    RESIDENT = "resident", _("Warga")


class LetterStep(models.Model):
    """One step of a letter's workflow: who moved it from which status to which, and why."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=10, blank=True, default="")
    to_status = models.CharField(max_length=10)
    actor_kind = models.CharField(max_length=8, choices=ActorKind.choices)
    # accounts.User id for staff, residents.Resident id for residents.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_role = models.CharField(max_length=20, blank=True, default="")
    note = models.CharField(max_length=500, blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"
