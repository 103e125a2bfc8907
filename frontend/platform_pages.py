"""Platform-admin pages on the public host: villages, onboarding, suspension, export, health.

Thin views over balai.onboarding.services, tenants.services and tenants.offboarding; long
work (bulk onboarding, export) runs in the worker and the page polls its job with htmx.
"""

from __future__ import annotations

from pathlib import Path

import redis
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from kombu.exceptions import OperationalError

from balai.accounts.models import VillageMembership
from balai.celery_app import app
from balai.errors import BalaiError
from balai.onboarding.forms import VillageOnboardForm
from balai.onboarding.models import BulkOnboardingJob, BulkOnboardingStatus, PlatformAuditEvent
from balai.onboarding.services import bulk_onboarding_start, village_onboard
from balai.regions.models import Region
from frontend.access import platform_admin_page
from frontend.forms import BulkOnboardingForm, SuspendForm, VillageFilterForm, add_balai_errors
from frontend.pages import page_of
from tenants.models import PooledSchema, SchemaTemplate, Village
from tenants.offboarding import export_job_create, export_job_get
from tenants.provisioning import migrations_fingerprint
from tenants.routing import village_host
from tenants.services import village_reactivate, village_suspend
from tenants.tasks import export_village

PAGE_SIZE = 50
# A health page must answer even when no worker does: wait this long for pongs.
PING_TIMEOUT = 0.5
QUEUES = ("default", "platform")
JOB_RUNNING = {"queued", "running"}


def _region_choices(codes: QuerySet) -> list[tuple[str, str]]:
    return [
        (code, f"{name} ({code})")
        for code, name in Region.objects.filter(code__in=codes).values_list("code", "name")
    ]


def _filtered_villages(form: VillageFilterForm) -> QuerySet[Village]:
    villages = Village.objects.order_by("region_id")
    if not form.is_valid():
        return villages
    data = form.cleaned_data
    if data["q"]:
        villages = villages.filter(
            Q(name__icontains=data["q"])
            | Q(slug__icontains=data["q"])
            | Q(region__code__startswith=data["q"])
        )
    if data["kabupaten"]:
        villages = villages.filter(kabupaten_code=data["kabupaten"])
    if data["kecamatan"]:
        villages = villages.filter(kecamatan_code=data["kecamatan"])
    if data["status"]:
        villages = villages.filter(status=data["status"])
    return villages


@platform_admin_page
def village_list(request: HttpRequest) -> HttpResponse:
    kabupaten = request.GET.get("kabupaten", "")
    in_use = Village.objects.order_by()
    kecamatan_codes = (in_use.filter(kabupaten_code=kabupaten) if kabupaten else in_use).values(
        "kecamatan_code"
    )
    form = VillageFilterForm(
        request.GET,
        kabupaten_choices=_region_choices(in_use.values("kabupaten_code")),
        kecamatan_choices=_region_choices(kecamatan_codes),
    )
    page = page_of(request, _filtered_villages(form), PAGE_SIZE, "page")
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    # The filter form asks htmx for the table alone; a plain request gets the whole page.
    if request.htmx and request.htmx.target == "village-results":
        return render(request, "platform/_village_table.html", context)
    return render(request, "platform/village_list.html", context)


def _village_detail(request: HttpRequest, village: Village, *, suspend_form=None, status=200):
    staff = VillageMembership.objects.filter(village=village).select_related("user")
    events = PlatformAuditEvent.objects.filter(village_code=village.region_id).select_related(
        "actor"
    )
    return render(
        request,
        "platform/village_detail.html",
        {
            "village": village,
            "host": village_host(village.slug),
            "staff": staff.order_by("user__username"),
            "events": events.order_by("-created_at")[:10],
            "suspend_form": suspend_form or SuspendForm(),
        },
        status=status,
    )


@platform_admin_page
def village_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _village_detail(request, get_object_or_404(Village, slug=slug))


@platform_admin_page
@require_POST
def village_suspend_page(request: HttpRequest, slug: str) -> HttpResponse:
    village = get_object_or_404(Village, slug=slug)
    form = SuspendForm(request.POST)
    if form.is_valid():
        try:
            village_suspend(village=village, reason=form.cleaned_data["reason"], actor=request.user)
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            messages.success(request, _("%(name)s ditangguhkan.") % {"name": village.name})
            return redirect("page-platform-village-detail", slug=village.slug)
    return _village_detail(request, village, suspend_form=form, status=400)


@platform_admin_page
@require_POST
def village_reactivate_page(request: HttpRequest, slug: str) -> HttpResponse:
    village = village_reactivate(village=get_object_or_404(Village, slug=slug), actor=request.user)
    messages.success(request, _("%(name)s aktif kembali.") % {"name": village.name})
    return redirect("page-platform-village-detail", slug=village.slug)


@platform_admin_page
@require_http_methods(["GET", "POST"])
def onboard(request: HttpRequest) -> HttpResponse:
    form = VillageOnboardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = village_onboard(**form.cleaned_data, actor=request.user)
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            # Rendered, not redirected: a generated password is shown once and never stored.
            return render(
                request,
                "platform/onboard_result.html",
                {"result": result, "village": result.village},
                status=201 if result.created else 200,
            )
    return render(
        request,
        "platform/onboard.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@platform_admin_page
@require_http_methods(["GET", "POST"])
def bulk_onboard(request: HttpRequest) -> HttpResponse:
    form = BulkOnboardingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = bulk_onboarding_start(
                content=form.cleaned_data["file"].read(), actor=request.user
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            return redirect("page-platform-bulk-job", job_id=job.pk)
    return render(
        request,
        "platform/bulk.html",
        {"form": form, "recent": BulkOnboardingJob.objects.order_by("-created_at")[:5]},
        status=400 if request.method == "POST" else 200,
    )


@platform_admin_page
def bulk_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(BulkOnboardingJob, pk=job_id)
    running = job.status in (BulkOnboardingStatus.QUEUED, BulkOnboardingStatus.RUNNING)
    context = {
        "job": job,
        "running": running,
        "created": sum(1 for row in job.results if row.get("status") == "created"),
        "failed": sum(1 for row in job.results if row.get("status") == "error"),
    }
    if request.htmx:
        return render(request, "platform/_bulk_job.html", context)
    return render(request, "platform/bulk_job.html", context)


@platform_admin_page
@require_POST
def village_export_page(request: HttpRequest, slug: str) -> HttpResponse:
    village = get_object_or_404(Village, slug=slug)
    job = export_job_create(village=village, actor=request.user)
    transaction.on_commit(lambda: export_village.delay(job["id"]))
    return redirect("page-platform-export-job", job_id=job["id"])


def _export_job_or_404(job_id: str) -> dict:
    job = export_job_get(job_id=job_id)
    if job is None:
        raise Http404
    return job


@platform_admin_page
def export_job(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _export_job_or_404(job_id)
    context = {"job": job, "running": job["status"] in JOB_RUNNING}
    if request.htmx:
        return render(request, "platform/_export_job.html", context)
    return render(request, "platform/export_job.html", context)


@platform_admin_page
def export_download(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _export_job_or_404(job_id)
    if job["status"] != "finished" or not job["file"]:
        raise Http404
    # The name comes from the job the worker wrote, never from the request.
    path = Path(settings.BALAI_EXPORT_DIR) / Path(job["file"]).name
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


def _worker_replies() -> list[str] | None:
    """Hostnames of the workers that answered a ping, or None when the broker is down."""
    try:
        replies = app.control.ping(timeout=PING_TIMEOUT)
    except (OperationalError, OSError, redis.RedisError):
        return None
    return sorted(hostname for reply in replies for hostname in reply)


def _queue_lengths() -> dict[str, int] | None:
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1)
        with client.pipeline(transaction=False) as pipe:
            for queue in QUEUES:
                pipe.llen(queue)
            lengths = pipe.execute()
        client.close()
    except (OSError, redis.RedisError):
        return None
    return dict(zip(QUEUES, lengths, strict=True))


@platform_admin_page
def health(request: HttpRequest) -> HttpResponse:
    fingerprint = migrations_fingerprint()
    template = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
    context = {
        "workers": _worker_replies(),
        "queues": _queue_lengths(),
        "pool_ready": PooledSchema.objects.filter(fingerprint=fingerprint).count(),
        "pool_stale": PooledSchema.objects.exclude(fingerprint=fingerprint).count(),
        "pool_target": settings.BALAI_SCHEMA_POOL_SIZE,
        "fingerprint": fingerprint,
        "template": template,
        "ping_timeout": PING_TIMEOUT,
    }
    if request.htmx:
        return render(request, "platform/_health.html", context)
    return render(request, "platform/health.html", context)
