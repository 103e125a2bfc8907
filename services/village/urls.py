from django.urls import include, path

from services.village import views

urlpatterns = [
    path("profile/", views.VillageProfileView.as_view(), name="village-profile"),
    path("areas/", views.AreaListView.as_view(), name="village-areas"),
    path("residents/", include("services.residents.urls")),
    path("economy/", include("services.economy.urls")),
]
