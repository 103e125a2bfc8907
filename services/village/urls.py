from django.urls import include, path

from services.village import views

urlpatterns = [
    path("profile/", views.VillageProfileView.as_view(), name="village-profile"),
    path("areas/", views.AreaListView.as_view(), name="village-areas"),
    path("residents/", include("services.residents.urls")),
    path("", include("services.imports.urls")),
    path("letters/", include("services.letters.urls")),
    path("families/", include("services.residents.family_urls")),
    path("events/", include("services.residents.event_urls")),
    path("audit/", include("services.audit.urls")),
]
