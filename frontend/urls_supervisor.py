"""Supervisor pages, included under /pengawas/ on the public host."""

from django.urls import path

from frontend import supervisor_pages as pages

urlpatterns = [
    path("", pages.dashboard, name="supervisor-dashboard"),
    path("desa/", pages.village_list, name="supervisor-village-list"),
    path("desa/<str:region_code>/", pages.village_detail, name="page-supervisor-village"),
    path("perbandingan/", pages.compare, name="page-supervisor-compare"),
    path("perbandingan.csv", pages.compare_csv, name="page-supervisor-compare-csv"),
    path("pengaduan-terlambat/", pages.overdue_complaints, name="page-supervisor-overdue"),
    path("nik-ganda/", pages.duplicate_niks, name="page-supervisor-duplicates"),
    path("nik-ganda.csv", pages.duplicate_niks_csv, name="page-supervisor-duplicates-csv"),
]
