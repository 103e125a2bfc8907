from django.contrib import admin

from balai.rollups.models import RollupOutcome, RollupRun


@admin.register(RollupRun)
class RollupRunAdmin(admin.ModelAdmin):
    list_display = [
        "date",
        "started_at",
        "finished_at",
        "villages_total",
        "villages_ok",
        "villages_failed",
    ]
    ordering = ["-started_at"]


@admin.register(RollupOutcome)
class RollupOutcomeAdmin(admin.ModelAdmin):
    list_display = ["village", "date", "ok", "run", "at", "error"]
    list_filter = ["ok"]
    list_select_related = ["village"]
    ordering = ["-at"]
