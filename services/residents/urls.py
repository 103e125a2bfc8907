from django.urls import path

from services.residents import views

urlpatterns = [
    path("", views.ResidentListView.as_view(), name="resident-list"),
    path("me/", views.ResidentMeView.as_view(), name="resident-me"),
    path("me/family/", views.ResidentMyFamilyView.as_view(), name="resident-me-family"),
    path("statistics/", views.ResidentStatisticsView.as_view(), name="resident-statistics"),
    path("as-of/", views.ResidentsAsOfView.as_view(), name="resident-as-of"),
    path("<int:pk>/", views.ResidentDetailView.as_view(), name="resident-detail"),
    path(
        "<int:pk>/acknowledge-nik-warning/",
        views.ResidentAcknowledgeView.as_view(),
        name="resident-acknowledge-nik-warning",
    ),
    path("<int:pk>/events/", views.ResidentEventsView.as_view(), name="resident-events"),
]
