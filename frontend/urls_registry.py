"""Pages of the population register: staff under kantor/, a resident's own data under warga/."""

from django.urls import path, re_path

from frontend import registry_pages as pages

urlpatterns = [
    path("kantor/penduduk/", pages.resident_list, name="page-resident-list"),
    path("kantor/penduduk/baru/", pages.resident_new, name="page-resident-new"),
    path("kantor/penduduk/ekspor.csv", pages.resident_export_csv, name="page-resident-export-csv"),
    path("kantor/penduduk/<int:pk>/", pages.resident_detail, name="page-resident-detail"),
    path("kantor/penduduk/<int:pk>/ubah/", pages.resident_edit, name="page-resident-edit"),
    path("kantor/penduduk/<int:pk>/peristiwa/", pages.resident_event, name="page-resident-event"),
    path(
        "kantor/penduduk/<int:pk>/setujui-nik/",
        pages.resident_acknowledge_nik,
        name="page-resident-acknowledge-nik",
    ),
    path("kantor/keluarga/", pages.family_list, name="page-family-list"),
    path("kantor/keluarga/baru/", pages.family_new, name="page-family-new"),
    path("kantor/keluarga/<int:pk>/", pages.family_detail, name="page-family-detail"),
    path(
        "kantor/keluarga/<int:pk>/anggota/",
        pages.family_member_add,
        name="page-family-member-add",
    ),
    path("kantor/impor/", pages.import_page, name="page-import"),
    re_path(
        r"^kantor/impor/templat\.(?P<file_format>xlsx|csv)$",
        pages.import_template_download,
        name="page-import-template",
    ),
    path("kantor/impor/ekspor/", pages.export_start, name="page-export-start"),
    path("kantor/impor/<int:pk>/", pages.import_job, name="page-import-job"),
    path("kantor/impor/<int:pk>/unduh/", pages.export_download, name="page-export-download"),
    path("warga/data/", pages.my_data, name="page-my-data"),
]
