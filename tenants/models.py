from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class VillageStatus(models.TextChoices):
    ACTIVE = "active", _("Aktif")
    SUSPENDED = "suspended", _("Ditangguhkan")


class Village(TenantMixin):
    """A village (desa/kelurahan) tenant: one PostgreSQL schema, one region row.

    The schema name is derived from the Kemendagri code (``desa_1808112001``), never
    from free input. Schemas are made by tenants.provisioning, not by migrations, so
    the automatic creation of django-tenants is switched off.
    """

    auto_create_schema = False
    auto_drop_schema = False

    region = models.OneToOneField(
        "regions.Region", on_delete=models.PROTECT, related_name="village"
    )
    slug = models.SlugField(max_length=63, unique=True)
    name = models.CharField(max_length=120)
    # What the village calls itself on its pages and letters: desa, kampung, nagari ...
    local_term = models.CharField(max_length=30, default="desa")
    status = models.CharField(
        max_length=10, choices=VillageStatus.choices, default=VillageStatus.ACTIVE, db_index=True
    )
    status_reason = models.CharField(max_length=300, blank=True, default="")
    # Denormalised from the region code so supervisor queries filter without joins.
    kecamatan_code = models.CharField(max_length=8, db_index=True)
    kabupaten_code = models.CharField(max_length=5, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.region_id})"

    @property
    def is_active(self) -> bool:
        return self.status == VillageStatus.ACTIVE


class Domain(DomainMixin):
    """A host name that routes to a village (``<slug>.<BALAI_BASE_DOMAIN>`` or custom)."""

    def __str__(self) -> str:
        return self.domain


class SchemaTemplate(models.Model):
    """The SQL of a fully migrated village schema, for one state of the migrations.

    ``fingerprint`` identifies the set of village migrations it was made from; the SQL
    carries the placeholder schema name ``TEMPLATE_SCHEMA`` that provisioning replaces.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    sql = models.TextField()
    migration_count = models.PositiveIntegerField()
    pg_dump_version = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"template {self.fingerprint[:12]}"


class PooledSchema(models.Model):
    """A ready, empty village schema waiting to be renamed for a new village."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.schema_name
