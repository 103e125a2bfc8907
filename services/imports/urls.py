from django.urls import path

from services.imports import views

urlpatterns = [
    path("imports/", views.ImportJobListView.as_view(), name="import-list"),
    path("imports/<int:pk>/", views.ImportJobDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="import-download"),
    path("imports/residents/", views.ResidentImportView.as_view(), name="resident-import"),
    path(
        "imports/residents/template.xlsx",
        views.TemplateXlsxView.as_view(),
        name="resident-import-template-xlsx",
    ),
    path(
        "imports/residents/template.csv",
        views.TemplateCsvView.as_view(),
        name="resident-import-template-csv",
    ),
    path(
        "exports/residents.csv", views.ResidentExportCsvView.as_view(), name="resident-export-csv"
    ),
    path(
        "exports/residents.xlsx",
        views.ResidentExportXlsxView.as_view(),
        name="resident-export-xlsx",
    ),
]
