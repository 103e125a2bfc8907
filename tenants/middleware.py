"""Routes each request to the public schema or to one village's schema by its host."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import set_urlconf
from django.utils import translation

from balai.sentry import tag_village
from tenants.routing import village_for_host

API_PREFIXES = ("/api/", "/open311/")
PUBLIC_SCHEMA = "public"


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES) or "application/json" in request.headers.get(
        "Accept", ""
    )


def _refusal(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message_id: str,
    message_en: str,
    template: str,
    context: dict,
) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"error": {"code": code, "message": message_id, "message_en": message_en}},
            status=status,
        )
    language = translation.get_language_from_request(request)
    with translation.override(language):
        html = render_to_string(template, {**context, "request": request})
    return HttpResponse(html, status=status)


def _activate_public() -> None:
    if connection.schema_name != PUBLIC_SCHEMA or connection.search_path_set_schemas is None:
        connection.set_schema_to_public()


def _activate_village(village) -> None:
    """Point the connection at the village, skipping the SET search_path it already has.

    django-tenants forgets the path it set on every set_tenant(), so a connection kept
    between requests would otherwise pay one SET per request (30-50 us, bench/routing).
    """
    if (
        connection.schema_name == village.schema_name
        and connection.search_path_set_schemas is not None
    ):
        connection.tenant = village
        return
    connection.set_tenant(village)


class VillageRoutingMiddleware:
    """Put first in MIDDLEWARE. Unknown hosts get 404, suspended villages 403, never 500.

    Replaces django-tenants' TenantMainMiddleware, which queries the domain table on every
    request and answers unknown hosts with a bare Http404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = request.get_host().split(":")[0].lower().rstrip(".")
        if host.startswith("www."):
            host = host[4:]

        if host in settings.BALAI_PUBLIC_HOSTS:
            _activate_public()
            request.tenant = connection.tenant  # the public schema stand-in
            request.village = None
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            tag_village(None)
            return self.get_response(request)

        village = village_for_host(host)
        if village is None:
            return _refusal(
                request,
                status=404,
                code="village_not_found",
                message_id="Desa untuk alamat ini tidak ditemukan.",
                message_en="No village is served at this address.",
                template="errors/village_not_found.html",
                context={"host": host},
            )
        if not village.is_active:
            return _refusal(
                request,
                status=403,
                code="village_suspended",
                message_id="Layanan desa ini sedang ditangguhkan.",
                message_en="This village's service is suspended.",
                template="errors/village_suspended.html",
                context={"village": village},
            )
        village.domain_url = host
        request.tenant = village
        request.village = village
        _activate_village(village)
        request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        tag_village(village)
        return self.get_response(request)
