from django.urls import include, path

from services.village import views

urlpatterns = [
    path("profile/", views.VillageProfileView.as_view(), name="village-profile"),
    path("home/", views.VillageHomeView.as_view(), name="village-home-data"),
    path("areas/", views.AreaListView.as_view(), name="village-areas"),
    path("areas/<int:area_id>/", views.AreaDetailView.as_view(), name="village-area"),
    path("officials/", views.OfficialListView.as_view(), name="village-officials"),
    path(
        "officials/<int:official_id>/", views.OfficialDetailView.as_view(), name="village-official"
    ),
    path("news/", include("services.news.urls")),
    path("budget/", include("services.budget.urls")),
    path("residents/", include("services.residents.urls")),
    path("", include("services.imports.urls")),
    path("letters/", include("services.letters.urls")),
    path("families/", include("services.residents.family_urls")),
    path("events/", include("services.residents.event_urls")),
    path("audit/", include("services.audit.urls")),
    path("economy/", include("services.economy.urls")),
    path("programmes/", include("services.programmes.urls")),
]
