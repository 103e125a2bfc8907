from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from services.residents.reference import (
    BloodType,
    Citizenship,
    Education,
    EventKind,
    FamilyRelation,
    MaritalStatus,
    Occupation,
    Religion,
    ResidenceType,
    ResidentStatus,
    Sex,
)

__all__ = ["Family", "PopulationEvent", "Resident", "ResidentAccount", "ResidentToken", "Sex"]


class Family(models.Model):
    """A family card (Kartu Keluarga): its number, its head and its members."""

    kk_number = models.CharField(max_length=16, unique=True)
    head = models.ForeignKey(
        "Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rt = models.ForeignKey(
        "village.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="families"
    )
    address = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kk_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kk_number__regex=r"^[1-9][0-9]{15}$"), name="family_kk_number_format"
            ),
        ]
        indexes = [
            # The family list pages by ids first: an index-only scan in KK order.
            models.Index(fields=["kk_number", "id"], name="family_kk_id_idx"),
        ]

    def __str__(self) -> str:
        return f"Family {self.pk}"


class Resident(models.Model):
    """A person in the village register. Personal data: never logged, audited on access.

    ``nik`` holds the real 16-digit NIK, or for people without one yet a temporary
    identifier that starts with 0, which no real NIK does, so the two can never collide.
    """

    nik = models.CharField(max_length=16, unique=True)
    full_name = models.CharField(max_length=120)
    birth_place = models.CharField(max_length=60, blank=True, default="")
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    religion = models.CharField(max_length=12, choices=Religion.choices, blank=True, default="")
    education = models.CharField(max_length=16, choices=Education.choices, blank=True, default="")
    occupation = models.CharField(max_length=24, choices=Occupation.choices, blank=True, default="")
    marital_status = models.CharField(
        max_length=12, choices=MaritalStatus.choices, blank=True, default=""
    )
    family = models.ForeignKey(
        Family, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    family_relation = models.CharField(
        max_length=16, choices=FamilyRelation.choices, blank=True, default=""
    )
    citizenship = models.CharField(
        max_length=3, choices=Citizenship.choices, default=Citizenship.WNI
    )
    blood_type = models.CharField(max_length=10, choices=BloodType.choices, blank=True, default="")
    rt = models.ForeignKey(
        "village.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="residents"
    )
    address = models.CharField(max_length=255, blank=True, default="")
    phone = models.CharField(max_length=20, blank=True, default="")
    status = models.CharField(
        max_length=8, choices=ResidentStatus.choices, default=ResidentStatus.ALIVE, db_index=True
    )
    residence = models.CharField(
        max_length=10, choices=ResidenceType.choices, default=ResidenceType.PERMANENT
    )
    # A NIK whose date part disagrees with the birth date or sex is kept (such NIKs exist
    # and cannot be changed) once staff acknowledge the warning.
    nik_warning_acknowledged = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [
            # A real NIK (not 0-prefixed) or a temporary identifier (0-prefixed): 16 digits.
            models.CheckConstraint(
                condition=Q(nik__regex=r"^[0-9]{16}$"), name="resident_nik_format"
            ),
        ]
        indexes = [
            models.Index(fields=["full_name", "id"], name="resident_name_idx"),
            models.Index(fields=["birth_date"], name="resident_birth_idx"),
            # Name search is icontains, i.e. UPPER(full_name) LIKE UPPER('%x%'): a trigram
            # index on the same expression serves it (pg_trgm is in the public schema).
            # NIK and KK prefix search (LIKE '1808%') use the varchar_pattern_ops index
            # Django makes beside every unique CharField (<table>_nik_<hash>_like).
            GinIndex(
                OpClass(Upper("full_name"), name="gin_trgm_ops"), name="resident_name_trgm_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Resident {self.pk}"

    @property
    def has_temporary_nik(self) -> bool:
        return self.nik.startswith("0")


class PopulationEvent(models.Model):
    """A birth, death, move or registration: the history the register is rebuilt from.

    People are never silently edited out of the register: their status follows from
    their latest event, so the register at any past date is the set of people whose latest
    event on or before that date is an arrival.
    """

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    event_date = models.DateField()
    note = models.CharField(max_length=255, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    recorded_by_id = models.BigIntegerField(null=True, blank=True)  # accounts.User in public
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_date", "id"]
        indexes = [
            models.Index(fields=["resident", "event_date", "id"], name="event_resident_date_idx"),
            models.Index(fields=["event_date", "kind"], name="event_date_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_date}"


class ResidentAccount(models.Model):
    """Self-service login for a resident: NIK + PIN (many residents have no email)."""

    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="account")
    pin_hash = models.CharField(max_length=128)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_login = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"ResidentAccount {self.pk}"


class ResidentToken(models.Model):
    """API token of a resident account; lives in the village schema, so it is village-bound."""

    # SHA-256 of the token; the token itself is shown once and never stored.
    key_hash = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(ResidentAccount, on_delete=models.CASCADE, related_name="tokens")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"ResidentToken {self.pk}"
