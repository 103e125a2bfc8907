from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A global account (platform admin, supervisor or village staff)."""

    is_platform_admin = models.BooleanField(default=False)
    phone = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        db_table = "accounts_user"


class StaffRole(models.TextChoices):
    KEPALA_DESA = "kepala_desa", _("Kepala desa")
    SEKRETARIS = "sekretaris", _("Sekretaris desa")
    OPERATOR = "operator", _("Operator")


class VillageMembership(models.Model):
    """A user's role in one village. One person can be staff of several villages."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    village = models.ForeignKey(
        "tenants.Village", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=StaffRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "village"], name="one_role_per_village"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.village_id}"


class SupervisorScope(models.Model):
    """A supervisor reads every village under ``region`` (a kecamatan or kabupaten).

    Stored once here, never as rows in each village: a kabupaten has ~200 villages.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervisor_scopes")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="one_scope_per_region"),
        ]

    def __str__(self) -> str:
        return f"{self.user} supervises {self.region_id}"
