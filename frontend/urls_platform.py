"""Platform-admin pages, included under /platform/ on the public host."""

from django.urls import path

from frontend import platform_pages as pages

urlpatterns = [
    path("desa/", pages.village_list, name="page-platform-village-list"),
    path("desa/baru/", pages.onboard, name="page-platform-onboard"),
    path("desa/massal/", pages.bulk_onboard, name="page-platform-bulk"),
    path("desa/massal/<int:job_id>/", pages.bulk_job, name="page-platform-bulk-job"),
    path("desa/<slug:slug>/", pages.village_detail, name="page-platform-village-detail"),
    path(
        "desa/<slug:slug>/tangguhkan/",
        pages.village_suspend_page,
        name="page-platform-village-suspend",
    ),
    path(
        "desa/<slug:slug>/aktifkan/",
        pages.village_reactivate_page,
        name="page-platform-village-reactivate",
    ),
    path(
        "desa/<slug:slug>/ekspor/", pages.village_export_page, name="page-platform-village-export"
    ),
    path("ekspor/<str:job_id>/", pages.export_job, name="page-platform-export-job"),
    path("ekspor/<str:job_id>/unduh/", pages.export_download, name="page-platform-export-download"),
    path("kesehatan/", pages.health, name="page-platform-health"),
]
