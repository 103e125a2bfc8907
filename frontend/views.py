from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from services.village.models import VillageProfile
from tenants.models import Village


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "schema": connection.schema_name})


def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "balai/public_home.html", {"village_count": Village.objects.count()})


def village_home(request: HttpRequest) -> HttpResponse:
    profile = VillageProfile.objects.filter(id=1).first()
    return render(
        request, "balai/village_home.html", {"village": request.village, "profile": profile}
    )
