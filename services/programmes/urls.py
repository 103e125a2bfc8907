from django.urls import path

from services.programmes import views

urlpatterns = [
    path("", views.ProgrammeListView.as_view(), name="programmes"),
    path("<int:programme_id>/", views.ProgrammeDetailView.as_view(), name="programme"),
    path(
        "<int:programme_id>/register/",
        views.ProgrammeRegisterView.as_view(),
        name="programme-register",
    ),
    path(
        "<int:programme_id>/registrations/",
        views.ProgrammeRegistrationListView.as_view(),
        name="programme-registrations",
    ),
    path(
        "<int:programme_id>/attendance/",
        views.ProgrammeAttendanceView.as_view(),
        name="programme-attendance",
    ),
    path("registrations/mine/", views.MyRegistrationsView.as_view(), name="registrations-mine"),
    path(
        "registrations/<int:registration_id>/cancel/",
        views.RegistrationCancelView.as_view(),
        name="registration-cancel",
    ),
    path(
        "registrations/<int:registration_id>/certificate/",
        views.RegistrationCertificateView.as_view(),
        name="registration-certificate",
    ),
    path(
        "certificates/<str:code>/",
        views.CertificateVerifyView.as_view(),
        name="programme-certificate-verify",
    ),
    path("kecamatan/", views.KecamatanProgrammeListView.as_view(), name="kecamatan-programmes"),
    path(
        "kecamatan/<int:programme_id>/register/",
        views.KecamatanRegisterView.as_view(),
        name="kecamatan-programme-register",
    ),
    path(
        "kecamatan/registrations/<int:registration_id>/cancel/",
        views.KecamatanRegistrationCancelView.as_view(),
        name="kecamatan-registration-cancel",
    ),
    path(
        "kecamatan/registrations/<int:registration_id>/certificate/",
        views.KecamatanCertificateView.as_view(),
        name="kecamatan-registration-certificate",
    ),
    path("materials/", views.MaterialListView.as_view(), name="village-materials"),
    path(
        "materials/<int:material_id>/",
        views.MaterialDetailView.as_view(),
        name="village-material",
    ),
]
