"""Pages of the village host for this area; included at the root of balai.urls_village."""

from django.urls import path

from frontend import learning_pages as pages

urlpatterns = [
    # Public: the programmes of the village and of its kecamatan, and the materials.
    path("pelatihan/", pages.programme_list, name="page-programmes"),
    path("pelatihan/<int:programme_id>/", pages.programme_detail, name="page-programme"),
    path(
        "pelatihan/<int:programme_id>/daftar/",
        pages.programme_register,
        name="page-programme-register",
    ),
    path(
        "pelatihan/kecamatan/<int:programme_id>/",
        pages.kecamatan_programme_detail,
        name="page-kecamatan-programme",
    ),
    path(
        "pelatihan/kecamatan/<int:programme_id>/daftar/",
        pages.kecamatan_programme_register,
        name="page-kecamatan-programme-register",
    ),
    path("materi/", pages.material_list, name="page-materials"),
    # Resident: their registrations, cancellation and certificates.
    path("warga/pelatihan/", pages.my_programmes, name="page-my-programmes"),
    path(
        "warga/pelatihan/<int:registration_id>/batal/",
        pages.my_registration_cancel,
        name="page-my-registration-cancel",
    ),
    path(
        "warga/pelatihan/<int:registration_id>/sertifikat/",
        pages.my_certificate,
        name="page-my-certificate",
    ),
    path(
        "warga/pelatihan/kecamatan/<int:registration_id>/batal/",
        pages.my_kecamatan_registration_cancel,
        name="page-my-kecamatan-registration-cancel",
    ),
    path(
        "warga/pelatihan/kecamatan/<int:registration_id>/sertifikat/",
        pages.my_kecamatan_certificate,
        name="page-my-kecamatan-certificate",
    ),
    # Staff: the village's programmes, registrations, attendance and certificates.
    path("kantor/pelatihan/", pages.staff_programmes, name="page-staff-programmes"),
    path("kantor/pelatihan/baru/", pages.staff_programme_new, name="page-staff-programme-new"),
    path(
        "kantor/pelatihan/kecamatan/<int:programme_id>/",
        pages.staff_kecamatan_programme,
        name="page-staff-kecamatan-programme",
    ),
    path(
        "kantor/pelatihan/kecamatan/<int:programme_id>/daftarkan/",
        pages.staff_kecamatan_register,
        name="page-staff-kecamatan-programme-register",
    ),
    path(
        "kantor/pelatihan/kecamatan/pendaftaran/<int:registration_id>/batal/",
        pages.staff_kecamatan_registration_cancel,
        name="page-staff-kecamatan-registration-cancel",
    ),
    path("kantor/pelatihan/materi/", pages.staff_materials, name="page-staff-materials"),
    path(
        "kantor/pelatihan/materi/<int:material_id>/",
        pages.staff_material_edit,
        name="page-staff-material-edit",
    ),
    path(
        "kantor/pelatihan/materi/<int:material_id>/hapus/",
        pages.staff_material_delete,
        name="page-staff-material-delete",
    ),
    path(
        "kantor/pelatihan/<int:programme_id>/",
        pages.staff_programme_detail,
        name="page-staff-programme",
    ),
    path(
        "kantor/pelatihan/<int:programme_id>/ubah/",
        pages.staff_programme_edit,
        name="page-staff-programme-edit",
    ),
    path(
        "kantor/pelatihan/<int:programme_id>/daftarkan/",
        pages.staff_programme_register,
        name="page-staff-programme-register",
    ),
    path(
        "kantor/pelatihan/<int:programme_id>/kehadiran/",
        pages.staff_attendance,
        name="page-staff-attendance",
    ),
    path(
        "kantor/pelatihan/pendaftaran/<int:registration_id>/batal/",
        pages.staff_registration_cancel,
        name="page-staff-registration-cancel",
    ),
    path(
        "kantor/pelatihan/pendaftaran/<int:registration_id>/sertifikat/",
        pages.staff_certificate,
        name="page-staff-certificate",
    ),
]
