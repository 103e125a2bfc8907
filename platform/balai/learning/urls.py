from django.urls import path

from balai.learning import views

urlpatterns = [
    path(
        "learning/programmes/",
        views.KecamatanProgrammeListView.as_view(),
        name="learning-programmes",
    ),
    path(
        "learning/programmes/<int:programme_id>/",
        views.KecamatanProgrammeDetailView.as_view(),
        name="learning-programme",
    ),
    path(
        "learning/programmes/<int:programme_id>/registrations/",
        views.KecamatanRegistrationListView.as_view(),
        name="learning-programme-registrations",
    ),
    path(
        "learning/programmes/<int:programme_id>/attendance/",
        views.KecamatanAttendanceView.as_view(),
        name="learning-programme-attendance",
    ),
    path(
        "learning/programmes/<int:programme_id>/registrations/<int:registration_id>/certificate/",
        views.KecamatanCertificateView.as_view(),
        name="learning-programme-certificate",
    ),
    path(
        "learning/certificates/<str:code>/",
        views.CertificateVerifyView.as_view(),
        name="learning-certificate-verify",
    ),
    path("learning/materials/", views.MaterialListView.as_view(), name="learning-materials"),
    path(
        "learning/materials/<int:material_id>/",
        views.MaterialDetailView.as_view(),
        name="learning-material",
    ),
    path(
        "supervisor/digital-adoption/",
        views.SupervisorDigitalAdoptionView.as_view(),
        name="supervisor-digital-adoption",
    ),
]
