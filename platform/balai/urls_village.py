"""URLs of a village host (<slug>.BALAI_BASE_DOMAIN). The village comes from the host."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from frontend import site_pages, village_pages
from frontend import views as pages
from services.complaints import open311
from services.village.media import village_media

urlpatterns = [
    path("", site_pages.village_home, name="village-home"),
    path("healthz", pages.healthz, name="healthz"),
    path(
        "media/villages/<str:schema>/<str:folder>/<str:name>",
        village_media,
        name="village-media",
    ),
    path("masuk/", pages.login_page, name="login"),
    path("keluar/", pages.logout_page, name="logout"),
    path("kantor/", village_pages.staff_dashboard, name="staff-dashboard"),
    path("warga/", village_pages.resident_home, name="resident-home"),
    # Pages of each area; each module names its own paths.
    path("", include("frontend.urls_registry")),
    path("", include("frontend.urls_letters")),
    path("", include("frontend.urls_complaints")),
    path("", include("frontend.urls_site")),
    path("", include("frontend.urls_office")),
    path("", include("frontend.urls_economy")),
    path("", include("frontend.urls_learning")),
    path("", include("frontend.urls_areas")),
    path("api/village/", include("services.village.urls")),
    path("surat/verifikasi/", include("services.letters.urls_verification")),
    path("api/auth/", include("balai.accounts.urls")),
    path("api/complaints/", include("services.complaints.urls")),
    path("api/notifications/", include("services.notifications.urls")),
    path("open311/", include(open311.urlpatterns)),
    path(
        "api/schema/", SpectacularAPIView.as_view(urlconf="balai.urls_village"), name="api-schema"
    ),
    path("i18n/", include("django.conf.urls.i18n")),
]
