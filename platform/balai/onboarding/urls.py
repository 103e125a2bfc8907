from django.urls import path

from balai.onboarding import views

urlpatterns = [
    path("villages/", views.VillageListCreateView.as_view(), name="platform-villages"),
    path("villages/bulk/", views.BulkOnboardingView.as_view(), name="platform-villages-bulk"),
    path(
        "villages/<slug:slug>/suspend/",
        views.VillageStatusView.as_view(action="suspend"),
        name="platform-village-suspend",
    ),
    path(
        "villages/<slug:slug>/reactivate/",
        views.VillageStatusView.as_view(action="reactivate"),
        name="platform-village-reactivate",
    ),
    path(
        "villages/<slug:slug>/export/",
        views.VillageExportView.as_view(),
        name="platform-village-export",
    ),
    path("villages/<slug:slug>/", views.VillageDeleteView.as_view(), name="platform-village"),
    path(
        "export-jobs/<str:job_id>/",
        views.ExportJobView.as_view(),
        name="platform-export-job",
    ),
    path(
        "onboarding-jobs/<int:job_id>/",
        views.BulkOnboardingJobView.as_view(),
        name="platform-onboarding-job",
    ),
]
