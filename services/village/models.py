from django.db import models
from django.utils.translation import gettext_lazy as _


class VillageProfile(models.Model):
    """One row per village schema: how the village names itself and its office."""

    name = models.CharField(max_length=120)
    region_code = models.CharField(max_length=13)
    local_term = models.CharField(max_length=30, default="desa")
    head_title = models.CharField(max_length=60, default="Kepala Desa")
    secretary_title = models.CharField(max_length=60, default="Sekretaris Desa")
    address = models.CharField(max_length=255, blank=True, default="")
    phone = models.CharField(max_length=20, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    service_hours = models.CharField(max_length=120, blank=True, default="Senin-Jumat 08.00-15.00")
    history = models.TextField(blank=True, default="")
    vision = models.TextField(blank=True, default="")
    mission = models.TextField(blank=True, default="")
    # Path under MEDIA_ROOT (villages/<schema>/logo/<random>.jpg); never the upload's name.
    logo = models.CharField(max_length=200, blank=True, default="")
    # WGS 84 degrees; 6 decimals is about 11 cm, more than a village office needs.
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Figures kept by the stats refresh task (services.village.tasks), not edited by hand.
    resident_count = models.PositiveIntegerField(default=0)
    stats_refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A singleton: the constant column can only ever hold one value.
            models.CheckConstraint(condition=models.Q(id=1), name="village_profile_singleton"),
        ]

    def __str__(self) -> str:
        return self.name


class AreaLevel(models.TextChoices):
    DUSUN = "dusun", _("Dusun")
    RW = "rw", _("RW")
    RT = "rt", _("RT")


class Area(models.Model):
    """Dusun -> RW -> RT inside the village; residents' addresses point at an RT."""

    level = models.CharField(max_length=5, choices=AreaLevel.choices)
    name = models.CharField(max_length=60)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "level", "name"], name="area_unique_name", nulls_distinct=False
            ),
        ]
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.name}"


class Official(models.Model):
    """A member of the village government (perangkat desa) shown on the public profile."""

    name = models.CharField(max_length=120)
    position = models.CharField(max_length=120)  # e.g. "Kepala Kampung", "Kaur Keuangan"
    # Path under MEDIA_ROOT (villages/<schema>/officials/<random>.jpg); never the upload's name.
    photo = models.CharField(max_length=200, blank=True, default="")
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.position}: {self.name}"
