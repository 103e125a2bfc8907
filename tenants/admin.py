from django.contrib import admin
from django_tenants.admin import TenantAdminMixin

from tenants.models import Domain, PooledSchema, SchemaTemplate, Village


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Village)
class VillageAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Listing and status; new villages are onboarded through the onboarding admin form."""

    list_display = ("name", "region", "slug", "schema_name", "status", "created_at")
    list_filter = ("status", "kabupaten_code")
    search_fields = ("name", "slug", "region__code")
    readonly_fields = ("schema_name", "region", "kecamatan_code", "kabupaten_code", "created_at")
    inlines = [DomainInline]

    def has_add_permission(self, request):
        # Adding a row here would make a village without a schema; onboarding makes both.
        return False


@admin.register(SchemaTemplate)
class SchemaTemplateAdmin(admin.ModelAdmin):
    list_display = ("fingerprint", "migration_count", "pg_dump_version", "created_at")
    readonly_fields = ("fingerprint", "migration_count", "pg_dump_version", "created_at", "sql")


@admin.register(PooledSchema)
class PooledSchemaAdmin(admin.ModelAdmin):
    list_display = ("schema_name", "fingerprint", "created_at")
