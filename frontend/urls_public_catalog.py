"""Public-host pages of the cross-village catalog; included at the root of balai.urls_public."""

from django.urls import path

from frontend import catalog_pages as pages

urlpatterns = [
    path("katalog/", pages.regional_catalog, name="page-regional-catalog"),
    path("katalog/<str:region_code>/", pages.regional_catalog, name="page-regional-catalog"),
]
