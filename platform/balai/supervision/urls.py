from django.urls import path

from balai.supervision import views

urlpatterns = [
    path("scope/", views.SupervisorScopeView.as_view(), name="supervisor-scope"),
    path("villages/", views.SupervisedVillageListView.as_view(), name="supervisor-villages"),
    path("duplicate-niks/", views.DuplicateNikListView.as_view(), name="supervisor-duplicate-niks"),
]
