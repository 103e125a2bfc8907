"""Pages of the population register on a village host: residents, families, population
events, import and export for staff; "my data" for a resident.

Thin views over services.residents (selectors for reads, services for writes) and
services.imports. Every staff role may read and write the register, as the API allows
(services.residents.views); reads of personal data are audited here exactly as the API's
reads are, because the selectors themselves do not write audit rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from balai.errors import BalaiError, FieldError
from frontend.access import resident_page, village_staff_page
from frontend.forms import add_balai_errors
from frontend.pages import flash_errors, found_or_404, query_without
from frontend.registry_forms import (
    EventForm,
    FamilyForm,
    FamilyMemberForm,
    FamilySearchForm,
    ImportForm,
    NewResidentForm,
    ResidentForm,
    ResidentSearchForm,
)
from services.audit.models import AuditAction
from services.audit.services import audit_record
from services.imports import selectors as job_selectors
from services.imports import services as job_services
from services.imports.models import ImportJob, JobKind
from services.residents import import_template, selectors, services
from services.residents.models import Family, Resident
from services.residents.reference import EventKind
from services.residents.serializers import resident_input_parse
from services.residents.validation import nik_date_warning
from services.residents.views import IdFirstPaginator

PAGE_SIZE = 50
# How often a running import or export page asks for its progress (htmx polling).
POLL_EVERY = "2s"


def _resident_or_404(pk: int) -> Resident:
    return found_or_404(selectors.resident_get, resident_id=pk)


def _family_or_404(pk: int) -> Family:
    return found_or_404(selectors.family_get, family_id=pk)


# -- residents ------------------------------------------------------------------------------


@village_staff_page
def resident_list(request: HttpRequest) -> HttpResponse:
    form = ResidentSearchForm(request.GET)
    filters = form.filters()
    paginator = IdFirstPaginator(selectors.resident_list(filters=filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    services.resident_search_audit(
        actor=request.user,
        filters=filters,
        returned=len(page.object_list),
        total=paginator.count,
        page=page.number,
    )
    context = {"form": form, "page": page, "query": query_without(request, "page")}
    # Search-as-you-type asks htmx for the rows alone; a plain request gets the whole page.
    if request.htmx and request.htmx.target == "resident-results":
        return render(request, "registry/_resident_rows.html", context)
    return render(request, "registry/resident_list.html", context)


def _resident_detail(
    request: HttpRequest, resident: Resident, *, event_form: EventForm | None = None, status=200
) -> HttpResponse:
    audit_record(
        actor=request.user, action=AuditAction.VIEW, object_type="resident", object_id=resident.pk
    )
    members = list(selectors.family_members(family=resident.family)) if resident.family else []
    warning = nik_date_warning(resident.nik, birth_date=resident.birth_date, sex=resident.sex)
    return render(
        request,
        "registry/resident_detail.html",
        {
            "resident": resident,
            "members": members,
            "events": list(selectors.resident_events(resident=resident)),
            "event_form": event_form or EventForm(initial={"event_date": timezone.localdate()}),
            "nik_warning": warning,
        },
        status=status,
    )


@village_staff_page
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _resident_detail(request, _resident_or_404(pk))


def _resident_data(form: ResidentForm) -> dict[str, Any]:
    """The form's values as the API's input parser reads them (rt_id, family_id)."""
    data = form.cleaned_data
    raw: dict[str, Any] = {name: data.get(name) or "" for name in form.PERSONAL}
    raw["birth_date"] = data["birth_date"].isoformat() if data.get("birth_date") else ""
    raw["rt_id"] = data.get("rt") or ""
    raw["family_id"] = ""
    if data.get("kk_number"):
        family = selectors.family_list(kk_number=data["kk_number"]).first()
        if family is None or family.kk_number != data["kk_number"]:
            raise BalaiError(
                errors=[
                    FieldError(
                        "kk_number",
                        "not_found",
                        "No. KK ini belum terdaftar; daftarkan dulu di daftar keluarga.",
                        "This KK number is not registered; add it to the family list first.",
                    )
                ]
            )
        raw["family_id"] = str(family.pk)
    return resident_input_parse(raw)


@village_staff_page
@require_http_methods(["GET", "POST"])
def resident_new(request: HttpRequest) -> HttpResponse:
    # A birth recorded from a family's page comes with its card, RT and relation filled in.
    prefill = {k: v for k, v in request.GET.items() if k in ("arrival", "kk_number", "rt")}
    if prefill.get("arrival") == EventKind.BIRTH:
        prefill["family_relation"] = "anak"
    form = NewResidentForm(request.POST or None, initial=prefill)
    if request.method == "POST" and form.is_valid():
        try:
            data = _resident_data(form)
            acknowledge = form.cleaned_data["acknowledge_warnings"]
            note = form.cleaned_data["note"]
            resident = services.resident_arrive(
                actor=request.user,
                data=data,
                arrival=form.cleaned_data["arrival"],
                arrival_date=form.cleaned_data["arrival_date"],
                acknowledge_warnings=acknowledge,
                note=note,
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            messages.success(request, _("%(name)s terdaftar.") % {"name": resident.full_name})
            return redirect("page-resident-detail", pk=resident.pk)
    return render(
        request,
        "registry/resident_form.html",
        {"form": form, "resident": None},
        status=400 if request.method == "POST" else 200,
    )


def _initial(resident: Resident) -> dict[str, Any]:
    initial = {name: getattr(resident, name) for name in ResidentForm.PERSONAL}
    initial["rt"] = str(resident.rt_id or "")
    initial["kk_number"] = resident.family.kk_number if resident.family else ""
    return initial


@village_staff_page
@require_http_methods(["GET", "POST"])
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_or_404(pk)
    form = ResidentForm(request.POST or None, initial=_initial(resident))
    if request.method == "GET":
        # The form shows the whole record: a read of personal data like the detail page.
        audit_record(
            actor=request.user, action=AuditAction.VIEW, object_type="resident", object_id=pk
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_update(
                actor=request.user,
                resident=resident,
                changes=_resident_data(form),
                acknowledge_warnings=form.cleaned_data["acknowledge_warnings"],
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            messages.success(request, _("Data penduduk disimpan."))
            return redirect("page-resident-detail", pk=pk)
    return render(
        request,
        "registry/resident_form.html",
        {"form": form, "resident": resident},
        status=400 if request.method == "POST" else 200,
    )


@village_staff_page
@require_POST
def resident_event(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_or_404(pk)
    form = EventForm(request.POST)
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        try:
            services.resident_record_event(
                actor=request.user,
                resident=resident,
                kind=kind,
                event_date=form.cleaned_data["event_date"],
                note=form.cleaned_data["note"],
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            messages.success(
                request, _("Peristiwa %(kind)s dicatat.") % {"kind": EventKind(kind).label}
            )
            return redirect("page-resident-detail", pk=pk)
    return _resident_detail(request, resident, event_form=form, status=400)


@village_staff_page
@require_POST
def resident_acknowledge_nik(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_or_404(pk)
    try:
        services.resident_acknowledge_nik_warning(actor=request.user, resident=resident)
    except BalaiError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("Peringatan NIK disetujui."))
    return redirect("page-resident-detail", pk=pk)


@village_staff_page
def resident_export_csv(request: HttpRequest) -> HttpResponse:
    name, chunks = job_services.resident_export_csv_open(actor=request.user)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- families -------------------------------------------------------------------------------


def _family_list(request: HttpRequest, *, family_form: FamilyForm | None = None, status=200):
    form = FamilySearchForm(request.GET)
    form.is_valid()  # a bad field is left out; the others still filter
    data = form.cleaned_data
    level, _colon, area_id = (data.get("area") or "").partition(":")
    area = int(area_id) if area_id.isdigit() else None
    kk = data.get("kk") or None
    families = selectors.family_list(
        kk_number=kk, dusun=area if level == "dusun" else None, rt=area if level == "rt" else None
    )
    paginator = IdFirstPaginator(families, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    services.family_search_audit(
        actor=request.user,
        areas={level: area} if area else {},
        by_kk_number=bool(kk),
        returned=len(page.object_list),
    )
    context = {
        "form": form,
        "page": page,
        "query": query_without(request, "page"),
        "family_form": family_form or FamilyForm(),
    }
    if request.htmx and request.htmx.target == "family-results":
        return render(request, "registry/_family_rows.html", context)
    return render(request, "registry/family_list.html", context, status=status)


@village_staff_page
def family_list(request: HttpRequest) -> HttpResponse:
    return _family_list(request)


@village_staff_page
@require_POST
def family_new(request: HttpRequest) -> HttpResponse:
    form = FamilyForm(request.POST)
    if form.is_valid():
        try:
            rt = resident_input_parse({"rt_id": form.cleaned_data["rt"] or ""}).get("rt")
            family = services.family_create(
                actor=request.user,
                kk_number=form.cleaned_data["kk_number"].strip(),
                rt=rt,
                address=form.cleaned_data["address"],
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            messages.success(request, _("Kartu keluarga terdaftar."))
            return redirect("page-family-detail", pk=family.pk)
    return _family_list(request, family_form=form, status=400)


def _family_detail(request: HttpRequest, family: Family, *, member_form=None, status=200):
    audit_record(
        actor=request.user, action=AuditAction.VIEW, object_type="family", object_id=family.pk
    )
    return render(
        request,
        "registry/family_detail.html",
        {
            "family": family,
            "members": list(selectors.family_members(family=family)),
            "member_form": member_form or FamilyMemberForm(),
        },
        status=status,
    )


@village_staff_page
def family_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _family_detail(request, _family_or_404(pk))


@village_staff_page
@require_POST
def family_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    family = _family_or_404(pk)
    form = FamilyMemberForm(request.POST)
    if form.is_valid():
        nik = form.cleaned_data["nik"].strip()
        resident = selectors.resident_list(filters=selectors.ResidentFilters(nik=nik)).first()
        try:
            if resident is None or resident.nik != nik:
                raise BalaiError.single(
                    "nik",
                    "not_found",
                    "Tidak ada penduduk dengan NIK ini.",
                    "No resident has this NIK.",
                )
            services.family_add_member(
                actor=request.user,
                family=family,
                resident=resident,
                relation=form.cleaned_data["relation"],
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            added = _("%(name)s masuk kartu keluarga.") % {"name": resident.full_name}
            messages.success(request, added)
            return redirect("page-family-detail", pk=pk)
    return _family_detail(request, _family_or_404(pk), member_form=form, status=400)


# -- import and export ----------------------------------------------------------------------


def _import_page(request: HttpRequest, form: ImportForm, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "registry/import.html",
        {
            "form": form,
            "jobs": job_selectors.import_jobs_recent(),
            "columns": import_template.COLUMNS,
        },
        status=status,
    )


@village_staff_page
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job, created = job_services.resident_import_upload(
                actor=request.user,
                upload=form.cleaned_data["file"],
                mode=form.cleaned_data["mode"],
                force=form.cleaned_data["force"],
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            if not created:
                messages.warning(
                    request,
                    _("Berkas yang sama sudah pernah diimpor; ini hasilnya."),
                )
            return redirect("page-import-job", pk=job.pk)
    return _import_page(request, form, status=400 if request.method == "POST" else 200)


@village_staff_page
def import_template_download(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format == "xlsx":
        content: bytes | str = import_template.template_xlsx()
        content_type = job_services.XLSX_CONTENT_TYPE
    else:
        content, content_type = import_template.template_csv(), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="templat-penduduk.{file_format}"'
    return response


def _job_or_404(pk: int) -> ImportJob:
    return found_or_404(job_selectors.import_job_get, job_id=pk)


@village_staff_page
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(pk)
    context = {
        "job": job,
        "running": not job.is_over,
        "poll_every": POLL_EVERY,
        "errors": [entry for entry in job.report if entry.get("level") == "error"],
        "is_export": job.kind == JobKind.RESIDENT_EXPORT,
    }
    if request.htmx:
        return render(request, "registry/_job.html", context)
    return render(request, "registry/import_job.html", context)


@village_staff_page
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    job = job_services.resident_export_start(actor=request.user)
    return redirect("page-import-job", pk=job.pk)


@village_staff_page
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(pk)
    if job.kind != JobKind.RESIDENT_EXPORT:
        raise Http404
    try:
        result = job_services.export_result_get(job=job, actor=request.user)
    except BalaiError as error:
        raise Http404 from error
    response = HttpResponse(bytes(result.content), content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.name}"'
    return response


# -- a resident's own data ------------------------------------------------------------------


@resident_page
def my_data(request: HttpRequest) -> HttpResponse:
    # Only the principal's own record and card: the id comes from the session, never
    # from the request.
    principal = request.resident
    resident = _resident_or_404(principal.resident_id)
    audit_record(
        actor=principal, action=AuditAction.VIEW, object_type="resident", object_id=resident.pk
    )
    family, members = selectors.family_of_resident(resident_id=resident.pk)
    if family is not None:
        audit_record(
            actor=principal, action=AuditAction.VIEW, object_type="family", object_id=family.pk
        )
    return render(
        request,
        "registry/my_data.html",
        {"resident": resident, "family": family, "members": members},
    )
