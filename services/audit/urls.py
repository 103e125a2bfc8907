from django.urls import path

from services.audit import views

urlpatterns = [
    path("", views.AuditEntryListView.as_view(), name="audit-list"),
]
