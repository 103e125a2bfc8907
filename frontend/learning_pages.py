"""Smart People pages of a village host: programmes (the village's and its kecamatan's) with
registration and the waiting list, learning materials, a resident's registrations and
certificates, and the staff pages to run programmes and take attendance.

Views parse, call services.programmes / balai.learning, and render; seats, the waiting
list, target groups and attendance are the services' rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balai.errors import BalaiError
from balai.learning import selectors as learning_selectors
from balai.learning import services as learning_services
from balai.learning.models import LearningMaterial, MaterialTopic, RegistrationStatus
from balai.learning.views import certificate_response
from frontend.access import resident_page, village_staff_page
from frontend.forms import add_balai_errors, balai_error_messages
from frontend.learning_forms import (
    MaterialFilterForm,
    MaterialForm,
    ProgrammeForm,
    RegisterResidentForm,
    ResidentSearchForm,
)
from frontend.pages import form_saved
from frontend.resident_search import resident_search
from services.programmes import selectors, services
from services.programmes.models import VillageMaterial
from services.programmes.selectors import Actor

KECAMATAN, VILLAGE = "kecamatan", "village"
UPCOMING_LIMIT, PAST_LIMIT = 50, 20


@dataclass(frozen=True)
class ProgrammeRow:
    programme: object
    kind: str  # VILLAGE or KECAMATAN
    url: str

    @property
    def seats_left(self) -> int:
        return max(self.programme.capacity - self.programme.confirmed, 0)


def _detail_url(kind: str, programme_id: int) -> str:
    name = "page-kecamatan-programme" if kind == KECAMATAN else "page-programme"
    return reverse(name, args=[programme_id])


def _rows(programmes, kind: str) -> list[ProgrammeRow]:
    return [ProgrammeRow(p, kind, _detail_url(kind, p.pk)) for p in programmes]


def _public_programmes(request: HttpRequest) -> tuple[list[ProgrammeRow], list[ProgrammeRow]]:
    """(upcoming, past) programmes of the village and of its kecamatan, upcoming soonest
    first, past most recent first."""
    now = timezone.now()
    village = learning_selectors.programmes_with_seats(
        selectors.programmes_for(actor=Actor(is_staff=False))
    )
    kecamatan = learning_selectors.programmes_with_seats(
        learning_selectors.kecamatan_programmes_visible(
            kecamatan_code=request.village.kecamatan_code
        )
    )
    upcoming = _rows(
        village.filter(ends_at__gte=now).order_by("starts_at")[:UPCOMING_LIMIT], VILLAGE
    )
    upcoming += _rows(
        kecamatan.filter(ends_at__gte=now).order_by("starts_at")[:UPCOMING_LIMIT], KECAMATAN
    )
    past = _rows(village.filter(ends_at__lt=now).order_by("-starts_at")[:PAST_LIMIT], VILLAGE)
    past += _rows(kecamatan.filter(ends_at__lt=now).order_by("-starts_at")[:PAST_LIMIT], KECAMATAN)
    upcoming.sort(key=lambda row: row.programme.starts_at)
    past.sort(key=lambda row: row.programme.starts_at, reverse=True)
    return upcoming, past


# -- public pages -----------------------------------------------------------------------------


@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    upcoming, past = _public_programmes(request)
    return render(request, "learning/programme_list.html", {"upcoming": upcoming, "past": past})


def _my_registration(request: HttpRequest, programme, kind: str):
    resident = getattr(request, "resident", None)
    if resident is None:
        return None
    if kind == KECAMATAN:
        rows = learning_selectors.kecamatan_registrations_of(
            village_code=request.village.region_id, resident_id=resident.resident_id
        )
    else:
        rows = selectors.registrations_for(
            actor=Actor(is_staff=False, resident_id=resident.resident_id)
        )
    return (
        rows.filter(programme_id=programme.pk)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by("-created_at")
        .first()
    )


def _programme_of(request: HttpRequest, kind: str, programme_id: int):
    """The programme as the public sees it: no drafts, a kecamatan one only of this
    village's kecamatan. Raises the service's 404 error otherwise."""
    if kind == KECAMATAN:
        programme = (
            learning_selectors.kecamatan_programmes_visible(
                kecamatan_code=request.village.kecamatan_code
            )
            .filter(pk=programme_id)
            .first()
        )
        if programme is None:
            raise BalaiError.single(
                "programme", "not_found", "Data tidak ditemukan.", "Not found.", status=404
            )
        return programme
    return selectors.programme_get_for(actor=Actor(is_staff=False), programme_id=programme_id)


def _render_detail(request, kind: str, programme_id: int, *, form=None, status=200):
    try:
        programme = _programme_of(request, kind, programme_id)
    except BalaiError as error:
        return _error_page(request, error)
    programme = learning_selectors.programmes_with_seats(
        type(programme).objects.filter(pk=programme.pk)
    ).get()
    registration = _my_registration(request, programme, kind)
    context = {
        "row": ProgrammeRow(programme, kind, _detail_url(kind, programme.pk)),
        "programme": programme,
        "registration": registration,
        "waiting_position": registration and learning_selectors.waiting_position(registration),
        "form": form or forms.Form(),
        "register_url": reverse(
            "page-kecamatan-programme-register" if kind == KECAMATAN else "page-programme-register",
            args=[programme.pk],
        ),
        "is_open": programme.status == "open" and programme.starts_at > timezone.now(),
    }
    return render(request, "learning/programme_detail.html", context, status=status)


def _error_page(request: HttpRequest, error: BalaiError) -> HttpResponse:
    return render(
        request,
        "learning/error.html",
        {"errors": balai_error_messages(error)},
        status=error.status,
    )


@require_GET
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    return _render_detail(request, VILLAGE, programme_id)


@require_GET
def kecamatan_programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    return _render_detail(request, KECAMATAN, programme_id)


def _registered_message(request: HttpRequest, registration) -> None:
    if registration.status == RegistrationStatus.WAITING:
        messages.warning(
            request,
            _(
                "Program sudah penuh: Anda masuk daftar tunggu (urutan ke-%(position)s). "
                "Anda mendapat tempat bila ada peserta yang batal."
            )
            % {"position": learning_selectors.waiting_position(registration)},
        )
    else:
        messages.success(request, _("Anda terdaftar sebagai peserta program ini."))


@resident_page
@require_POST
def programme_register(request: HttpRequest, programme_id: int) -> HttpResponse:
    form = forms.Form(request.POST)
    try:
        resident = services.resident_for_registration(request.resident.resident_id)
        registration = services.registration_create(programme_id=programme_id, resident=resident)
    except BalaiError as error:
        add_balai_errors(form, error)
        return _render_detail(request, VILLAGE, programme_id, form=form, status=error.status)
    _registered_message(request, registration)
    return redirect("page-programme", programme_id=programme_id)


@resident_page
@require_POST
def kecamatan_programme_register(request: HttpRequest, programme_id: int) -> HttpResponse:
    form = forms.Form(request.POST)
    try:
        registration = services.kecamatan_registration_for(
            village=request.village,
            programme_id=programme_id,
            resident_id=request.resident.resident_id,
        )
    except BalaiError as error:
        add_balai_errors(form, error)
        return _render_detail(request, KECAMATAN, programme_id, form=form, status=error.status)
    _registered_message(request, registration)
    return redirect("page-kecamatan-programme", programme_id=programme_id)


@require_GET
def material_list(request: HttpRequest) -> HttpResponse:
    form = MaterialFilterForm(request.GET or None)
    topic = form.cleaned_data["topic"] if form.is_valid() else ""
    own, shared = VillageMaterial.objects.all(), LearningMaterial.objects.all()
    if topic:
        own, shared = own.filter(topic=topic), shared.filter(topic=topic)
    by_topic: dict[str, list] = {}
    for material in [*own, *shared]:
        by_topic.setdefault(material.topic, []).append(material)
    topics = [
        {"code": code, "label": label, "materials": by_topic[code]}
        for code, label in MaterialTopic.choices
        if code in by_topic
    ]
    return render(
        request,
        "learning/material_list.html",
        {"form": form, "topics": topics, "show_self_service": topic in ("", MaterialTopic.BALAI)},
    )


# -- resident pages ---------------------------------------------------------------------------


def _resident_actor(request: HttpRequest) -> Actor:
    return Actor(is_staff=False, resident_id=request.resident.resident_id)


def _render_my_programmes(request: HttpRequest, *, errors=(), status=200) -> HttpResponse:
    village = selectors.registrations_for(actor=_resident_actor(request)).order_by(
        "-created_at", "-id"
    )
    kecamatan = learning_selectors.kecamatan_registrations_of(
        village_code=request.village.region_id, resident_id=request.resident.resident_id
    ).order_by("-created_at", "-id")
    rows = [(VILLAGE, r) for r in village] + [(KECAMATAN, r) for r in kecamatan]
    rows.sort(key=lambda pair: pair[1].created_at, reverse=True)
    return render(
        request,
        "learning/my_programmes.html",
        {"rows": rows, "errors": errors},
        status=status,
    )


@resident_page
@require_GET
def my_programmes(request: HttpRequest) -> HttpResponse:
    return _render_my_programmes(request)


@resident_page
@require_POST
def my_registration_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    def cancel() -> None:
        registration = selectors.registration_get_for(
            actor=_resident_actor(request), registration_id=registration_id
        )
        services.registration_cancel(registration=registration)

    return _my_registration_cancel(request, cancel)


def _my_registration_cancel(request: HttpRequest, cancel) -> HttpResponse:
    """A resident cancels a registration of theirs (``cancel()``); refused, their programmes
    page with the reason."""
    try:
        cancel()
    except BalaiError as error:
        return _render_my_programmes(
            request, errors=balai_error_messages(error), status=error.status
        )
    messages.success(request, _("Pendaftaran dibatalkan."))
    return redirect("page-my-programmes")


@resident_page
@require_POST
def my_kecamatan_registration_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    return _my_registration_cancel(
        request,
        lambda: learning_services.kecamatan_registration_cancel(
            village=request.village,
            registration_id=registration_id,
            resident_id=request.resident.resident_id,
        ),
    )


@resident_page
@require_GET
def my_certificate(request: HttpRequest, registration_id: int) -> HttpResponse:
    try:
        registration = selectors.registration_get_for(
            actor=_resident_actor(request), registration_id=registration_id
        )
        return certificate_response(services.certificate_for(registration))
    except BalaiError as error:
        return _error_page(request, error)


@resident_page
@require_GET
def my_kecamatan_certificate(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = (
        learning_selectors.kecamatan_registrations_of(
            village_code=request.village.region_id, resident_id=request.resident.resident_id
        )
        .filter(pk=registration_id)
        .first()
    )
    try:
        if registration is None:
            raise BalaiError.single(
                "registration", "not_found", "Data tidak ditemukan.", "Not found.", status=404
            )
        return certificate_response(learning_services.kecamatan_certificate(registration))
    except BalaiError as error:
        return _error_page(request, error)


# -- staff pages ------------------------------------------------------------------------------


def _staff_actor(request: HttpRequest) -> Actor:
    return Actor(is_staff=True, user_id=request.user.pk)


@village_staff_page
@require_GET
def staff_programmes(request: HttpRequest) -> HttpResponse:
    programmes = learning_selectors.programmes_with_seats(
        selectors.programmes_for(actor=_staff_actor(request))
    ).order_by("-starts_at", "-id")[:200]
    kecamatan = learning_selectors.programmes_with_seats(
        learning_selectors.kecamatan_programmes_visible(
            kecamatan_code=request.village.kecamatan_code
        ).filter(ends_at__gte=timezone.now())
    ).order_by("starts_at")[:UPCOMING_LIMIT]
    return render(
        request,
        "learning/staff_programmes.html",
        {
            "rows": _rows(programmes, VILLAGE),
            "kecamatan_rows": [
                ProgrammeRow(p, KECAMATAN, reverse("page-staff-kecamatan-programme", args=[p.pk]))
                for p in kecamatan
            ],
        },
    )


@village_staff_page
@require_http_methods(["GET", "POST"])
def staff_programme_new(request: HttpRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST or None, initial={"status": "open", "target_group": "semua"})
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(
                data=form.service_data(), by_user_id=request.user.pk
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            messages.success(request, _("Program dibuat."))
            return redirect("page-staff-programme", programme_id=programme.pk)
    return render(
        request,
        "learning/staff_programme_form.html",
        {"form": form, "programme": None},
        status=400 if request.method == "POST" else 200,
    )


@village_staff_page
@require_http_methods(["GET", "POST"])
def staff_programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    try:
        programme = selectors.programme_get_for(
            actor=_staff_actor(request), programme_id=programme_id
        )
    except BalaiError as error:
        return _error_page(request, error)
    form = ProgrammeForm(request.POST or None, initial=ProgrammeForm.initial_of(programme))
    saved = form_saved(
        request,
        form,
        lambda: services.programme_update(programme_id=programme.pk, data=form.service_data()),
        success=_("Program disimpan."),
    )
    if saved:
        return redirect("page-staff-programme", programme_id=programme.pk)
    return render(
        request,
        "learning/staff_programme_form.html",
        {"form": form, "programme": programme},
        status=400 if request.method == "POST" else 200,
    )


def _render_staff_programme(
    request: HttpRequest,
    programme_id: int,
    *,
    register_form=None,
    attendance_errors=(),
    status=200,
) -> HttpResponse:
    actor = _staff_actor(request)
    try:
        programme = selectors.programme_get_for(actor=actor, programme_id=programme_id)
    except BalaiError as error:
        return _error_page(request, error)
    registrations = list(
        selectors.registrations_for(actor=actor)
        .filter(programme=programme)
        .order_by("created_at", "id")
    )
    search_form = ResidentSearchForm(request.GET or None)
    context = {
        "programme": programme,
        "registrations": registrations,
        "confirmed": [r for r in registrations if r.status == RegistrationStatus.CONFIRMED],
        "waiting": [r for r in registrations if r.status == RegistrationStatus.WAITING],
        "search_form": search_form,
        "found": resident_search(request, search_form, page="programme"),
        "register_form": register_form or RegisterResidentForm(),
        "register_url": reverse("page-staff-programme-register", args=[programme.pk]),
        "attendance_errors": attendance_errors,
        "attendance_open": programme.starts_at <= timezone.now()
        and programme.status != "cancelled",
    }
    if request.htmx and request.htmx.target == "resident-results":
        return render(request, "learning/_resident_results.html", context, status=status)
    if request.htmx and request.htmx.target == "attendance":
        return render(request, "learning/_attendance.html", context, status=status)
    return render(request, "learning/staff_programme_detail.html", context, status=status)


def _staff_register(request: HttpRequest, programme_id: int, register, *, page, back: str):
    """Staff register the resident posted: ``register(resident_id)`` gives the registration
    and the name to show; refused, the programme's page (``page``) with the error on the
    form, else back to it saying whether the resident got a seat or a waiting place."""
    form = RegisterResidentForm(request.POST)
    form.is_valid()
    try:
        registration, name = register(form.cleaned_data.get("resident_id"))
    except BalaiError as error:
        add_balai_errors(form, error)
        return page(request, programme_id, register_form=form, status=error.status)
    if registration.status == RegistrationStatus.WAITING:
        messages.warning(
            request, _("%(name)s masuk daftar tunggu: program sudah penuh.") % {"name": name}
        )
    else:
        messages.success(request, _("%(name)s terdaftar.") % {"name": name})
    return redirect(back, programme_id=programme_id)


@village_staff_page
@require_GET
def staff_programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    return _render_staff_programme(request, programme_id)


@village_staff_page
@require_POST
def staff_programme_register(request: HttpRequest, programme_id: int) -> HttpResponse:

    def register(resident_id) -> tuple[object, str]:
        resident = services.resident_for_registration(resident_id)
        registration = services.registration_create(
            programme_id=programme_id, resident=resident, by_user_id=request.user.pk
        )
        return registration, resident.full_name

    return _staff_register(
        request,
        programme_id,
        register,
        page=_render_staff_programme,
        back="page-staff-programme",
    )


@village_staff_page
@require_POST
def staff_attendance(request: HttpRequest, programme_id: int) -> HttpResponse:
    try:
        marked = services.attendance_mark(
            programme_id=programme_id, registration_ids=request.POST.getlist("registration_ids")
        )
    except BalaiError as error:
        return _render_staff_programme(
            request,
            programme_id,
            attendance_errors=balai_error_messages(error),
            status=error.status,
        )
    if request.htmx:
        return _render_staff_programme(request, programme_id)
    messages.success(
        request,
        _("Kehadiran %(count)s peserta dicatat; sertifikat mereka terbit.")
        % {"count": len(marked)},
    )
    return redirect("page-staff-programme", programme_id=programme_id)


@village_staff_page
@require_POST
def staff_registration_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    try:
        registration = selectors.registration_get_for(
            actor=_staff_actor(request), registration_id=registration_id
        )
        promoted = services.registration_cancel(registration=registration)
    except BalaiError as error:
        return _error_page(request, error)
    messages.success(
        request,
        _("Pendaftaran %(name)s dibatalkan.") % {"name": registration.resident.full_name},
    )
    for moved_up in promoted:
        messages.info(
            request,
            _("%(name)s naik dari daftar tunggu dan kini terdaftar.")
            % {"name": moved_up.resident.full_name},
        )
    return redirect("page-staff-programme", programme_id=registration.programme_id)


@village_staff_page
@require_GET
def staff_certificate(request: HttpRequest, registration_id: int) -> HttpResponse:
    try:
        registration = selectors.registration_get_for(
            actor=_staff_actor(request), registration_id=registration_id
        )
        return certificate_response(services.certificate_for(registration))
    except BalaiError as error:
        return _error_page(request, error)


# -- staff: kecamatan programmes, for the village's residents --------------------------------


def _render_staff_kecamatan(
    request: HttpRequest, programme_id: int, *, register_form=None, status=200
) -> HttpResponse:
    """A programme of the village's kecamatan as its staff see it: the village's own
    registrations (not the other villages') and the resident search to register more."""
    programme = (
        learning_selectors.programmes_with_seats(
            learning_selectors.kecamatan_programmes_visible(
                kecamatan_code=request.village.kecamatan_code
            ).filter(pk=programme_id)
        )
    ).first()
    if programme is None:
        return _error_page(
            request,
            BalaiError.single(
                "programme", "not_found", "Data tidak ditemukan.", "Not found.", status=404
            ),
        )
    registrations = list(
        learning_selectors.kecamatan_registrations_of(village_code=request.village.region_id)
        .filter(programme=programme)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by("created_at", "id")
    )
    search_form = ResidentSearchForm(request.GET or None)
    context = {
        "programme": programme,
        "row": ProgrammeRow(programme, KECAMATAN, _detail_url(KECAMATAN, programme.pk)),
        "registrations": registrations,
        "search_form": search_form,
        "found": resident_search(request, search_form, page="kecamatan_programme"),
        "register_form": register_form or RegisterResidentForm(),
        "register_url": reverse("page-staff-kecamatan-programme-register", args=[programme.pk]),
        "is_open": programme.status == "open" and programme.starts_at > timezone.now(),
    }
    if request.htmx and request.htmx.target == "resident-results":
        return render(request, "learning/_resident_results.html", context, status=status)
    return render(request, "learning/staff_kecamatan_programme.html", context, status=status)


@village_staff_page
@require_GET
def staff_kecamatan_programme(request: HttpRequest, programme_id: int) -> HttpResponse:
    return _render_staff_kecamatan(request, programme_id)


@village_staff_page
@require_POST
def staff_kecamatan_register(request: HttpRequest, programme_id: int) -> HttpResponse:

    def register(resident_id) -> tuple[object, str]:
        registration = services.kecamatan_registration_for(
            village=request.village,
            programme_id=programme_id,
            resident_id=resident_id,
            by_user_id=request.user.pk,
        )
        return registration, registration.display_name

    return _staff_register(
        request,
        programme_id,
        register,
        page=_render_staff_kecamatan,
        back="page-staff-kecamatan-programme",
    )


@village_staff_page
@require_POST
def staff_kecamatan_registration_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    try:
        registration = learning_services.kecamatan_registration_cancel(
            village=request.village, registration_id=registration_id, resident_id=None
        )
    except BalaiError as error:
        return _error_page(request, error)
    messages.success(
        request, _("Pendaftaran %(name)s dibatalkan.") % {"name": registration.display_name}
    )
    return redirect("page-staff-kecamatan-programme", programme_id=registration.programme_id)


# -- staff: the village's own learning materials ---------------------------------------------


@village_staff_page
@require_http_methods(["GET", "POST"])
def staff_materials(request: HttpRequest) -> HttpResponse:
    form = MaterialForm(request.POST or None, initial={"kind": "panduan"})
    saved = form_saved(
        request,
        form,
        lambda: services.material_create(data=form.cleaned_data, by_user_id=request.user.pk),
        success=_("Materi ditambahkan."),
    )
    if saved:
        return redirect("page-staff-materials")
    return render(
        request,
        "learning/staff_materials.html",
        {"form": form, "materials": VillageMaterial.objects.all()},
        status=400 if form.errors else 200,
    )


@village_staff_page
@require_http_methods(["GET", "POST"])
def staff_material_edit(request: HttpRequest, material_id: int) -> HttpResponse:
    material = VillageMaterial.objects.filter(pk=material_id).first()
    if material is None:
        return _error_page(
            request,
            BalaiError.single(
                "material", "not_found", "Materi tidak ditemukan.", "Material not found.", 404
            ),
        )
    form = MaterialForm(request.POST or None, initial=MaterialForm.initial_of(material))
    saved = form_saved(
        request,
        form,
        lambda: services.material_update(material_id=material.pk, data=form.cleaned_data),
        success=_("Materi disimpan."),
    )
    if saved:
        return redirect("page-staff-materials")
    return render(
        request,
        "learning/staff_material_form.html",
        {"form": form, "material": material},
        status=400 if form.errors else 200,
    )


@village_staff_page
@require_POST
def staff_material_delete(request: HttpRequest, material_id: int) -> HttpResponse:
    try:
        services.material_delete(material_id=material_id)
    except BalaiError as error:
        return _error_page(request, error)
    messages.success(request, _("Materi dihapus."))
    return redirect("page-staff-materials")
