from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class Resident(models.Model):
    """A person in the village register. Personal data: never logged, audited on access."""

    nik = models.CharField(max_length=16, unique=True)
    full_name = models.CharField(max_length=120)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    phone = models.CharField(max_length=20, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return f"Resident {self.pk}"


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
