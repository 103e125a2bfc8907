"""Letter (surat) pages of a village host: residents ask for letters and download them once
signed; staff verify, sign, reject, search the archive and edit the letter templates.

Thin views: every rule (who may take which step, what a field accepts, numbering) is in
services.letters; these parse a form, call one service or selector, and render.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from balai.accounts.models import StaffRole
from balai.errors import BalaiError
from frontend.access import (
    forbidden,
    request_staff_role,
    resident_page,
    village_staff_page,
    village_staff_page_for,
)
from frontend.forms import add_balai_errors, balai_error_messages
from frontend.letters_forms import (
    CounterResidentSearchForm,
    LetterActionForm,
    LetterFieldForm,
    LetterFieldFormSet,
    LetterRequestForm,
    LetterSearchForm,
    LetterSettingsForm,
    LetterTemplateForm,
    errors_on_form_fields,
)
from frontend.pages import flash_errors, page_of
from services.audit.models import AuditAction
from services.audit.services import audit_record
from services.letters import rendering, selectors, services
from services.letters.models import (
    ISSUED_STATUSES,
    ActorKind,
    Letter,
    LetterStatus,
    LetterType,
)
from services.residents import selectors as resident_selectors
from services.residents import services as resident_services
from services.residents.models import Resident
from services.residents.selectors import ResidentFilters

PAGE_SIZE = 25
QUEUE_SIZE = 50
TEMPLATE_EDITORS = (StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS)
# The API lets only the kepala desa change the letter settings; the sekretaris reads them.
SETTINGS_EDITORS = (StaffRole.KEPALA_DESA,)
COUNTER_SEARCH_MIN = 3
COUNTER_RESULTS = 10
_FIELD_ERROR = re.compile(r"^fields\[(\d+)\](?:\.(\w+))?$")
# Staff steps in the order the detail page offers them; "resubmit" is the resident's.
ACTION_LABELS = {
    "verify": _("Verifikasi"),
    "sign": _("Tanda tangani"),
    "ready": _("Tandai siap diambil"),
    "pick_up": _("Tandai sudah diambil"),
    "return": _("Kembalikan ke warga"),
    "reject": _("Tolak"),
    "cancel": _("Batalkan"),
    "revoke": _("Cabut surat"),
}
DANGEROUS_ACTIONS = ("reject", "cancel", "revoke")


def _pdf_response(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _letter_for(principal, letter_id: int) -> Letter:
    """The letter through the one selector that scopes it (a resident: only their own)."""
    try:
        return selectors.letter_get_for_user(user=principal, letter_id=letter_id)
    except BalaiError as error:
        raise Http404(str(error)) from error


def _letter_type_or_404(code: str) -> LetterType:
    try:
        return selectors.letter_type_get(code=code)
    except BalaiError as error:
        raise Http404(str(error)) from error


def _field_rows(letter: Letter) -> list[dict]:
    schema = letter.letter_type.fields
    shown = services.field_values_display(schema=schema, values=letter.field_values)
    return [{"label": spec["label"], "value": shown[spec["name"]]} for spec in schema]


def _steps(letter: Letter) -> list[dict]:
    """The history, naming who acted by role only: staff user ids live in another schema."""
    rows = []
    for step in letter.steps.all():
        if step.actor_kind == ActorKind.RESIDENT:
            actor = _("Warga")
        elif step.actor_role in StaffRole.values:
            actor = StaffRole(step.actor_role).label
        else:
            actor = _("Petugas")
        rows.append(
            {
                "status_label": LetterStatus(step.to_status).label,
                "at": step.at,
                "actor": actor,
                "note": step.note,
            }
        )
    return rows


# --- resident pages ---------------------------------------------------------------------


@resident_page
def my_letters(request: HttpRequest) -> HttpResponse:
    letters = selectors.letters_for_resident(resident_id=request.resident.resident_id)
    page = page_of(request, letters, PAGE_SIZE)
    return render(request, "letters/my_letters.html", {"page": page})


@resident_page
def letter_request_choose(request: HttpRequest) -> HttpResponse:
    types = selectors.letter_types_list(resident_view=True)
    return render(request, "letters/request_choose.html", {"types": types})


def _letter_request_page(
    request: HttpRequest,
    code: str,
    *,
    principal,
    role: str | None,
    resident: Resident | None = None,
    success: str,
    done: str,
    template: str,
) -> HttpResponse:
    """The request form of an active letter type, online (a resident, ``role`` None) or at
    the counter (staff for ``resident``): posted and taken, the letter's page (``done``);
    else the form again, 400 on bad input or the status of the service's refusal."""
    letter_type = _letter_type_or_404(code)
    if not letter_type.is_active:
        raise Http404(code)
    form = LetterRequestForm(request.POST or None, letter_type=letter_type)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                letter = services.letter_request(
                    actor=principal,
                    role=role,
                    letter_type_code=letter_type.code,
                    field_values=form.field_values(),
                    resident_id=resident.pk if resident else None,
                    note=form.cleaned_data["note"],
                )
            except BalaiError as error:
                add_balai_errors(form, errors_on_form_fields(error))
                status = error.status
            else:
                messages.success(request, success)
                return redirect(done, pk=letter.pk)
    context = {"letter_type": letter_type, "form": form}
    if resident is not None:
        context["resident"] = resident
    return render(request, template, context, status=status)


@resident_page
def letter_request_form(request: HttpRequest, code: str) -> HttpResponse:
    return _letter_request_page(
        request,
        code,
        principal=request.resident,
        role=None,
        success=_("Permohonan surat terkirim."),
        done="page-my-letter-detail",
        template="letters/request_form.html",
    )


def _my_detail(
    request: HttpRequest,
    letter: Letter,
    form: LetterRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None and letter.status == LetterStatus.RETURNED:
        # A returned request is fixed and sent again with the same fields, filled in.
        form = LetterRequestForm(letter_type=letter.letter_type, initial=letter.field_values)
    return render(
        request,
        "letters/my_letter_detail.html",
        {
            "letter": letter,
            "steps": _steps(letter),
            "fields": _field_rows(letter),
            "issued": letter.status in ISSUED_STATUSES and bool(letter.issued),
            "may_cancel": letter.status in services.TRANSITIONS["cancel"].sources,
            "form": form,
        },
        status=status,
    )


@resident_page
def my_letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _my_detail(request, _letter_for(request.resident, pk))


@resident_page
@require_POST
def my_letter_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request.resident, pk)
    form = LetterRequestForm(request.POST, letter_type=letter.letter_type)
    status = 400
    if form.is_valid():
        try:
            services.letter_transition(
                actor=request.resident,
                role=None,
                letter_id=letter.pk,
                action="resubmit",
                note=form.cleaned_data["note"],
                field_values=form.field_values(),
            )
        except BalaiError as error:
            add_balai_errors(form, errors_on_form_fields(error))
            status = error.status
        else:
            messages.success(request, _("Permohonan diajukan ulang."))
            return redirect("page-my-letter-detail", pk=letter.pk)
    return _my_detail(request, letter, form, status)


def _letter_pdf(request: HttpRequest, principal, pk: int, *, back: str) -> HttpResponse:
    """The signed PDF of a letter ``principal`` may see; refused, back to its page."""
    letter = _letter_for(principal, pk)
    try:
        pdf = services.letter_print(actor=principal, letter=letter)
    except BalaiError as error:
        flash_errors(request, error)
        return redirect(back, pk=letter.pk)
    return _pdf_response(pdf, f"surat-{letter.pk}.pdf")


@resident_page
def my_letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _letter_pdf(request, request.resident, pk, back="page-my-letter-detail")


@resident_page
@require_POST
def my_letter_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.letter_transition(actor=request.resident, role=None, letter_id=pk, action="cancel")
    except BalaiError as error:
        if error.status == 404:
            raise Http404(str(error)) from error
        flash_errors(request, error)
    else:
        messages.success(request, _("Permohonan dibatalkan."))
    return redirect("page-my-letter-detail", pk=pk)


# --- staff pages --------------------------------------------------------------------------


@village_staff_page
def letter_queue(request: HttpRequest) -> HttpResponse:
    """What waits for this staff member: verification for everyone, signing for signers."""
    role = request_staff_role(request)

    def oldest_first(status: str):
        return selectors.letters_for_staff(status=status).order_by("created_at", "id")

    may_sign = services.letter_role_may_sign(role=role)
    context = {
        "to_verify": list(oldest_first(LetterStatus.REQUESTED)[:QUEUE_SIZE]),
        "to_sign": list(oldest_first(LetterStatus.VERIFIED)[:QUEUE_SIZE]) if may_sign else None,
        "to_hand_over": list(
            selectors.letters_for_staff(
                statuses=(LetterStatus.SIGNED, LetterStatus.READY)
            ).order_by("signed_at", "id")[:QUEUE_SIZE]
        ),
        "queue_size": QUEUE_SIZE,
        "may_configure": role in TEMPLATE_EDITORS,
    }
    audit_record(actor=request.user, action="list", object_type="letter", detail={"page": "queue"})
    return render(request, "letters/queue.html", context)


def _staff_detail(
    request: HttpRequest, letter: Letter, form: LetterActionForm, status: int = 200
) -> HttpResponse:
    available = services.letter_actions_available(role=request_staff_role(request), letter=letter)
    actions = [
        {"name": name, "label": label, "danger": name in DANGEROUS_ACTIONS}
        for name, label in ACTION_LABELS.items()
        if name in available
    ]
    return render(
        request,
        "letters/staff_detail.html",
        {
            "letter": letter,
            "steps": _steps(letter),
            "fields": _field_rows(letter),
            "actions": actions,
            "form": form,
            "issued": letter.status in ISSUED_STATUSES and bool(letter.issued),
        },
        status=status,
    )


@village_staff_page
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request.user, pk)
    # The page shows the resident's name and NIK: read as the API's detail does, audited.
    audit_record(actor=request.user, action="view", object_type="letter", object_id=letter.pk)
    return _staff_detail(request, letter, LetterActionForm())


@village_staff_page
@require_POST
def letter_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTION_LABELS:
        raise Http404(action)
    form = LetterActionForm(request.POST)
    if form.is_valid():
        try:
            services.letter_transition(
                actor=request.user,
                role=request_staff_role(request),
                letter_id=pk,
                action=action,
                note=form.cleaned_data["note"],
            )
        except BalaiError as error:
            if error.status == 404:
                raise Http404(str(error)) from error
            add_balai_errors(form, error)
            return _staff_detail(request, _letter_for(request.user, pk), form, error.status)
        done = _("Langkah tersimpan: %(step)s.") % {"step": ACTION_LABELS[action]}
        messages.success(request, done)
        return redirect("page-letter-detail", pk=pk)
    return _staff_detail(request, _letter_for(request.user, pk), form, 400)


@village_staff_page
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _letter_pdf(request, request.user, pk, back="page-letter-detail")


@village_staff_page
def letter_archive(request: HttpRequest) -> HttpResponse:
    """Issued letters (and revoked ones, marked so), newest first, searchable."""
    form = LetterSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    letters = selectors.letters_for_staff(
        search=search or None, statuses=(*ISSUED_STATUSES, LetterStatus.REVOKED)
    )
    audit_record(
        actor=request.user,
        action="list",
        object_type="letter",
        detail={"page": "archive", "filters": ["q"] if search else []},
    )
    context = {"form": form, "page": page_of(request, letters, PAGE_SIZE), "search": search}
    if request.htmx:
        return render(request, "letters/_archive_table.html", context)
    return render(request, "letters/archive.html", context)


@village_staff_page
def letter_templates(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "letters/templates.html",
        {
            "types": selectors.letter_types_list(),
            "may_edit": request_staff_role(request) in TEMPLATE_EDITORS,
        },
    )


def _placeholders(letter_type: LetterType) -> list[tuple[str, str]]:
    names = [(name, label) for name, label in rendering.BASE_PLACEHOLDERS.items()]
    names += [(f"field.{f['name']}", f["label"]) for f in letter_type.fields]
    return names


@village_staff_page_for(*TEMPLATE_EDITORS)
def letter_template_edit(request: HttpRequest, code: str) -> HttpResponse:
    letter_type = _letter_type_or_404(code)
    form = LetterTemplateForm.for_type(letter_type, data=request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.letter_type_update(
                    actor=request.user, code=letter_type.code, changes=form.changes()
                )
            except BalaiError as error:
                add_balai_errors(form, error)
            else:
                messages.success(request, _("Templat tersimpan."))
                return redirect("page-letter-template-edit", code=letter_type.code)
    return render(
        request,
        "letters/template_edit.html",
        {"letter_type": letter_type, "form": form, "placeholders": _placeholders(letter_type)},
        status=status,
    )


@village_staff_page
def letter_template_preview(request: HttpRequest, code: str) -> HttpResponse:
    """The saved template (GET) or a draft (POST) with sample data, as HTML or PDF."""
    letter_type = _letter_type_or_404(code)
    data = request.POST if request.method == "POST" else request.GET
    template = data.get("template") if request.method == "POST" else None
    title = data.get("title") if request.method == "POST" else None
    context: dict = {"letter_type": letter_type, "errors": [], "html": ""}
    try:
        if data.get("format") == "pdf":
            pdf = services.letter_preview_pdf(
                letter_type=letter_type, template=template, title=title
            )
            return _pdf_response(pdf, f"pratinjau-{letter_type.code}.pdf")
        context["html"] = services.letter_preview(letter_type=letter_type, template=template)
        status = 200
    except BalaiError as error:
        context["errors"] = balai_error_messages(error)
        # htmx swaps in only 2xx answers: the editor's live preview must show the errors.
        status = 200 if request.htmx else 400
    name = "letters/_preview.html" if request.htmx else "letters/template_preview.html"
    return render(request, name, context, status=status)


@village_staff_page_for(*TEMPLATE_EDITORS)
def letter_fields_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The letter type's extra fields: add (blank rows), remove, reorder, change."""
    letter_type = _letter_type_or_404(code)
    formset = LetterFieldFormSet(
        request.POST or None,
        initial=[LetterFieldForm.initial_of(spec) for spec in letter_type.fields],
        prefix="isian",
    )
    status, errors = 200, []
    if request.method == "POST":
        status = 400
        if formset.is_valid():
            # ordered_forms leaves out deleted rows and blank new ones.
            rows = list(formset.ordered_forms)
            try:
                services.letter_type_update(
                    actor=request.user,
                    code=letter_type.code,
                    changes={"fields": [form.definition() for form in rows]},
                )
            except BalaiError as error:
                errors = _fields_errors_on_rows(rows, error)
            else:
                messages.success(request, _("Isian surat tersimpan."))
                return redirect("page-letter-fields-edit", code=letter_type.code)
    return render(
        request,
        "letters/fields_edit.html",
        {"letter_type": letter_type, "formset": formset, "errors": errors},
        status=status,
    )


def _fields_errors_on_rows(rows: list[LetterFieldForm], error: BalaiError) -> list[str]:
    """Put ``fields[i].attr`` errors on row i's field; return the others (e.g. a template
    that still uses a removed field) for the top of the page."""
    rest = []
    for field_error, message in zip(error.errors, balai_error_messages(error), strict=True):
        match = _FIELD_ERROR.match(field_error.field)
        if match and int(match[1]) < len(rows):
            form = rows[int(match[1])]
            form.add_error(match[2] if match[2] in form.fields else None, message)
        else:
            rest.append(message)
    return rest


@village_staff_page_for(*TEMPLATE_EDITORS)
def letter_settings(request: HttpRequest) -> HttpResponse:
    """Number format, sequence and signing delegation: the kepala desa edits, the
    sekretaris reads."""
    may_edit = request_staff_role(request) in SETTINGS_EDITORS
    if request.method == "POST" and not may_edit:
        return forbidden(request)
    row = services.letter_settings_get()
    form = LetterSettingsForm.for_settings(row, request.POST or None, read_only=not may_edit)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.letter_settings_update(actor=request.user, changes=form.changes())
            except BalaiError as error:
                add_balai_errors(form, error)
            else:
                messages.success(request, _("Pengaturan surat tersimpan."))
                return redirect("page-letter-settings")
    context = {
        "form": form,
        "may_edit": may_edit,
        "example": services.letter_number_example(options=row),
    }
    return render(request, "letters/settings.html", context, status=status)


# --- requests entered at the counter --------------------------------------------------------


@village_staff_page
def letter_counter(request: HttpRequest) -> HttpResponse:
    """A resident at the office: find them by NIK or name (as they type), then the letter."""
    form = CounterResidentSearchForm(request.GET)
    search = form.cleaned_data["q"].strip() if form.is_valid() else ""
    residents: list[Resident] = []
    searched = len(search) >= COUNTER_SEARCH_MIN
    if searched:
        filters = ResidentFilters.for_term(search)
        residents = list(resident_selectors.resident_list(filters=filters)[:COUNTER_RESULTS])
        resident_services.resident_search_audit(
            actor=request.user, filters=filters, returned=len(residents), page="letter_counter"
        )
    context = {"form": form, "residents": residents, "searched": searched}
    if request.htmx:
        return render(request, "letters/_counter_residents.html", context)
    return render(request, "letters/counter.html", context)


def _counter_resident(request: HttpRequest, resident_id: int) -> Resident:
    try:
        resident = resident_selectors.resident_get(resident_id=resident_id)
    except BalaiError as error:
        raise Http404(str(error)) from error
    if request.method == "GET":
        # The page shows the resident's name and NIK: a read of personal data.
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="resident",
            object_id=resident.pk,
            detail={"page": "letter_counter"},
        )
    return resident


@village_staff_page
def letter_counter_choose(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = _counter_resident(request, resident_id)
    # Every active type, also those residents may not ask for online: that is the counter's
    # purpose.
    types = selectors.letter_types_list(resident_view=True)
    return render(request, "letters/counter_choose.html", {"resident": resident, "types": types})


@village_staff_page
def letter_counter_form(request: HttpRequest, resident_id: int, code: str) -> HttpResponse:
    return _letter_request_page(
        request,
        code,
        principal=request.user,
        role=request_staff_role(request),
        resident=_counter_resident(request, resident_id),
        success=_("Permohonan di loket tercatat."),
        done="page-letter-detail",
        template="letters/counter_form.html",
    )
