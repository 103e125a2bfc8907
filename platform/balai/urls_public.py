"""URLs of the public host (BALAI_BASE_DOMAIN): platform admins and supervisors."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from frontend import views as pages

urlpatterns = [
    path("", pages.public_home, name="public-home"),
    path("healthz", pages.healthz, name="healthz"),
    path("masuk/", pages.login_page, name="login"),
    path("keluar/", pages.logout_page, name="logout"),
    path("platform/", include("frontend.urls_platform")),
    path("pengawas/", include("frontend.urls_supervisor")),
    path("", include("frontend.urls_public_catalog")),
    path("admin/", admin.site.urls),
    path("api/platform/", include("balai.onboarding.urls")),
    path("api/supervisor/", include("balai.supervision.urls")),
    path("api/supervisor/rollups/", include("balai.rollups.urls")),
    # The cross-village catalog (api/catalog/) and supervisors' economy figures.
    path("api/", include("balai.marketplace.urls")),
    # Kecamatan programmes, shared learning materials (api/learning/), digital adoption.
    path("api/", include("balai.learning.urls")),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="balai.urls_public"), name="api-schema"),
    path("i18n/", include("django.conf.urls.i18n")),
]
