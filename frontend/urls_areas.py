"""Pages of the village areas (dusun, RW, RT); included at the root of balai.urls_village."""

from django.urls import path

from frontend import areas_pages as pages

urlpatterns = [
    path("kantor/wilayah/", pages.staff_areas, name="page-staff-areas"),
    path("kantor/wilayah/tambah/", pages.staff_area_add, name="page-staff-area-add"),
    path("kantor/wilayah/<int:pk>/ubah/", pages.staff_area_rename, name="page-staff-area-rename"),
    path("kantor/wilayah/<int:pk>/hapus/", pages.staff_area_delete, name="page-staff-area-delete"),
]
