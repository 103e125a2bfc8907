from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_tenants.admin import TenantAdminMixin

from balai.errors import BalaiError
from balai.onboarding.forms import VillageOnboardForm
from balai.onboarding.services import village_onboard
from tenants.models import Domain, PooledSchema, SchemaTemplate, Village
from tenants.services import village_reactivate, village_suspend


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Village)
class VillageAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Villages with their status. "Add" runs the onboarding service, never a bare insert."""

    list_display = ("name", "region", "slug", "schema_name", "status", "created_at")
    list_filter = ("status", "kabupaten_code")
    search_fields = ("name", "slug", "region__code")
    readonly_fields = ("schema_name", "region", "kecamatan_code", "kabupaten_code", "created_at")
    inlines = [DomainInline]
    actions = ["suspend_selected", "reactivate_selected"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_platform_admin

    has_view_permission = has_change_permission = has_module_permission

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # deletion needs the confirmed offboarding flow

    def get_urls(self):
        custom = [
            path(
                "onboard/",
                self.admin_site.admin_view(self.onboard_view),
                name="tenants_village_onboard",
            )
        ]
        return custom + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:tenants_village_onboard")

    def onboard_view(self, request):
        if not self.has_add_permission(request):
            return TemplateResponse(request, "admin/403.html", status=403)
        form = VillageOnboardForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = village_onboard(**form.cleaned_data, actor=request.user)
            except BalaiError as error:
                for field_error in error.errors:
                    field = field_error.field if field_error.field in form.fields else None
                    form.add_error(field, field_error.message)
            else:
                note = (
                    f" Kata sandi admin {result.admin.username}: {result.admin_password}"
                    if result.admin_password
                    else ""
                )
                messages.success(request, f"{result.village.name} siap di {result.host}.{note}")
                return redirect(reverse("admin:tenants_village_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Onboarding desa",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/tenants/village/onboard.html", context)

    @admin.action(description="Tangguhkan desa terpilih")
    def suspend_selected(self, request, queryset):
        for village in queryset:
            village_suspend(
                village=village, reason="Ditangguhkan oleh admin platform", actor=request.user
            )

    @admin.action(description="Aktifkan kembali desa terpilih")
    def reactivate_selected(self, request, queryset):
        for village in queryset:
            village_reactivate(village=village, actor=request.user)


@admin.register(SchemaTemplate)
class SchemaTemplateAdmin(admin.ModelAdmin):
    list_display = ("fingerprint", "migration_count", "pg_dump_version", "created_at")
    readonly_fields = ("fingerprint", "migration_count", "pg_dump_version", "created_at", "sql")


@admin.register(PooledSchema)
class PooledSchemaAdmin(admin.ModelAdmin):
    list_display = ("schema_name", "fingerprint", "created_at")
