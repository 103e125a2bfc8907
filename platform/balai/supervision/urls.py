from django.urls import path

from balai.supervision import complaints, views

urlpatterns = [
    path("scope/", views.SupervisorScopeView.as_view(), name="supervisor-scope"),
    path("villages/", views.SupervisedVillageListView.as_view(), name="supervisor-villages"),
    path("duplicate-niks/", views.DuplicateNikListView.as_view(), name="supervisor-duplicate-niks"),
    path(
        "complaints/escalated/",
        complaints.EscalatedComplaintListView.as_view(),
        name="supervisor-complaints-escalated",
    ),
    path(
        "complaints/counts/",
        complaints.ComplaintCountsView.as_view(),
        name="supervisor-complaints-counts",
    ),
]
