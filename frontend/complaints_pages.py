"""Complaint pages of a village host: filing and tracking (anyone), the resident's own
complaints, and the staff queue with the actions of services.complaints.

Thin views: a form parses, a service or selector decides, a template presents. Complaints
are reached by their tracking code, as in the API, never by the sequential id.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from balai.accounts.models import StaffRole
from balai.errors import BalaiError
from frontend.access import (
    request_staff_role,
    resident_page,
    village_staff_page,
    village_staff_page_for,
)
from frontend.complaints_forms import (
    AssignForm,
    ComplaintFileForm,
    ComplaintQueueFilterForm,
    ComplaintSettingsForm,
    MergeForm,
    RejectForm,
    ReplyForm,
    StatusForm,
    TrackForm,
    VisibilityForm,
)
from frontend.forms import add_balai_errors
from frontend.pages import page_of
from services.audit.models import AuditAction
from services.audit.services import audit_record
from services.complaints import selectors, services
from services.complaints.models import ComplaintStatus
from services.complaints.views import client_ip
from services.residents.models import Resident
from services.village.models import Area

PAGE_SIZE = 25
# The confirmation page reads the code from the session, so a reload or a shared link
# never shows another filer's code.
FILED_SESSION_KEY = "complaint_filed_code"
REPORTER_FIELDS = ["reporter_name", "reporter_phone", "reporter_email", "resident"]


def _resident_id(request: HttpRequest) -> int | None:
    resident = getattr(request, "resident", None)
    return resident.resident_id if resident is not None else None


def _area_choices() -> list[tuple[str, str]]:
    return [(str(area.pk), str(area)) for area in Area.objects.order_by("level", "name")]


def _file_form(request: HttpRequest, data=None, files=None) -> ComplaintFileForm:
    return ComplaintFileForm(
        data,
        files,
        initial={"category": request.GET.get("category", "")},
        categories=list(selectors.categories_active()),
        areas=_area_choices(),
        as_resident=_resident_id(request) is not None,
    )


@require_http_methods(["GET", "POST"])
def complaint_file_page(request: HttpRequest) -> HttpResponse:
    """File a complaint, anonymously (with a phone number) or as the signed-in resident."""
    if request.method == "GET":
        form = _file_form(request)
        if request.htmx and request.htmx.target == "category-attributes":
            # The category changed: only its extra questions are swapped in.
            return render(request, "complaints/_attributes.html", {"form": form})
        return render(request, "complaints/file.html", {"form": form})
    form = _file_form(request, request.POST, request.FILES)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_file(
                category_code=data["category"],
                description=data["description"],
                is_public=data["is_public"],
                resident_id=_resident_id(request),
                phone=data.get("phone", ""),
                email=(data.get("email") or "").strip(),
                name=data.get("name", ""),
                latitude=data["latitude"],
                longitude=data["longitude"],
                area_id=data["area"] or None,
                address=data["address"],
                attributes=form.attributes(),
                photos=data["photos"],
                client_ip=client_ip(request),
                filed_via="web",
            )
        except BalaiError as error:
            form.add_service_errors(error)
            status = error.status
        else:
            request.session[FILED_SESSION_KEY] = complaint.tracking_code
            return redirect("page-complaint-filed")
    return render(request, "complaints/file.html", {"form": form}, status=status)


def complaint_filed_page(request: HttpRequest) -> HttpResponse:
    code = request.session.get(FILED_SESSION_KEY)
    if not code:
        return redirect("page-complaint-file")
    try:
        complaint = selectors.complaint_get_by_tracking_code(code=code)
    except BalaiError:
        return redirect("page-complaint-file")
    track_url = f"{reverse('page-complaint-track')}?kode={complaint.tracking_code}"
    return render(
        request,
        "complaints/filed.html",
        {"complaint": complaint, "track_url": track_url},
    )


def complaint_track_page(request: HttpRequest) -> HttpResponse:
    """Anyone with the code sees the status and public notes; never who filed it."""
    form = TrackForm(request.GET or None)
    complaint = None
    status = 200
    if form.is_bound and form.is_valid() and form.cleaned_data["kode"]:
        try:
            complaint = selectors.complaint_get_by_tracking_code(code=form.cleaned_data["kode"])
        except BalaiError as error:
            for field_error in error.errors:
                field_error.field = "kode"  # the selector names the API's field
            add_balai_errors(form, error)
            status = error.status
    return render(
        request,
        "complaints/track.html",
        {"form": form, "complaint": complaint},
        status=status,
    )


@resident_page
def my_complaints_page(request: HttpRequest) -> HttpResponse:
    complaints = selectors.complaints_of_resident(resident_id=_resident_id(request))
    page = page_of(request, complaints, PAGE_SIZE, "page")
    return render(request, "complaints/mine.html", {"page": page, "query": ""})


# -- staff ----------------------------------------------------------------------------------


@village_staff_page
def complaint_queue_page(request: HttpRequest) -> HttpResponse:
    form = ComplaintQueueFilterForm(request.GET, categories=list(selectors.categories_active()))
    queryset = selectors.complaints_visible_to(is_staff=True, resident_id=None)
    if form.is_valid():
        data = form.cleaned_data
        queryset = selectors.complaints_filter(
            queryset,
            status=data["status"] or None,
            category=data["category"] or None,
            overdue=None if data["overdue"] == "" else data["overdue"] == "1",
        )
    page = page_of(request, queryset, PAGE_SIZE, "page")
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    if request.htmx and request.htmx.target == "complaint-results":
        return render(request, "complaints/_queue_table.html", context)
    return render(request, "complaints/queue.html", context)


def _complaint_for_staff(code: str):
    try:
        return selectors.complaint_get_for_staff(code=code)
    except BalaiError:
        raise Http404 from None


def _assignee_choices(request: HttpRequest) -> list[tuple[int, str]]:
    return [(u.pk, u.username) for u in selectors.complaint_assignees(village=request.village)]


def _detail(request: HttpRequest, code: str, *, forms=None, status: int = 200) -> HttpResponse:
    complaint = _complaint_for_staff(code)
    forms = forms or {}
    resident = None
    if complaint.resident_id:
        resident = Resident.objects.filter(pk=complaint.resident_id).only("full_name").first()
    # The page shows who filed it (name, phone, or the resident): a read of personal data.
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="complaint",
        object_id=complaint.pk,
        fields=REPORTER_FIELDS,
    )
    assignees = dict(_assignee_choices(request))
    context = {
        "complaint": complaint,
        "resident": resident,
        "assigned": assignees.get(complaint.assigned_user_id, ""),
        "updates": complaint.updates.all(),
        "answers": selectors.complaint_attribute_answers(complaint),
        "assign_form": forms.get("assign") or AssignForm(assignees=assignees.items()),
        "reply_form": forms.get("reply") or ReplyForm(),
        "status_form": forms.get("status") or StatusForm(),
        "reject_form": forms.get("reject") or RejectForm(),
        "merge_form": forms.get("merge") or MergeForm(),
        "visibility_form": forms.get("visibility") or VisibilityForm(),
    }
    template = "complaints/_staff_detail.html" if request.htmx else "complaints/staff_detail.html"
    return render(request, template, context, status=status)


@village_staff_page
def complaint_staff_detail_page(request: HttpRequest, code: str) -> HttpResponse:
    return _detail(request, code)


def _action(request: HttpRequest, code: str, *, name: str, form, act) -> HttpResponse:
    """Run one staff action from a posted form; errors re-render the page with status 400."""
    complaint = _complaint_for_staff(code)
    status = 400
    if form.is_valid():
        try:
            act(complaint, form.cleaned_data)
        except BalaiError as error:
            add_balai_errors(form, error)
            status = error.status
        else:
            messages.success(request, _("Perubahan disimpan."))
            if request.htmx:
                return _detail(request, code)
            return redirect("page-complaint-staff-detail", code=complaint.tracking_code)
    return _detail(request, code, forms={name: form}, status=status)


@village_staff_page
@require_POST
def complaint_assign_page(request: HttpRequest, code: str) -> HttpResponse:
    form = AssignForm(request.POST, assignees=_assignee_choices(request))
    return _action(
        request,
        code,
        name="assign",
        form=form,
        act=lambda complaint, data: services.complaint_assign(
            complaint=complaint,
            actor=request.user,
            assignee_user_id=data["assignee"],
            note=data["note"],
        ),
    )


@village_staff_page
@require_POST
def complaint_reply_page(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        name="reply",
        form=ReplyForm(request.POST),
        act=lambda complaint, data: services.complaint_reply(
            complaint=complaint, actor=request.user, note=data["note"], is_public=data["is_public"]
        ),
    )


@village_staff_page
@require_POST
def complaint_status_page(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        name="status",
        form=StatusForm(request.POST),
        act=lambda complaint, data: services.complaint_status_change(
            complaint=complaint,
            actor=request.user,
            to_status=data["status"],
            note=data["note"],
            is_public=data["is_public"],
        ),
    )


@village_staff_page
@require_POST
def complaint_reject_page(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        name="reject",
        form=RejectForm(request.POST),
        act=lambda complaint, data: services.complaint_status_change(
            complaint=complaint,
            actor=request.user,
            to_status=ComplaintStatus.REJECTED,
            reason=data["reason"],
            is_public=True,
        ),
    )


@village_staff_page
@require_POST
def complaint_merge_page(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        name="merge",
        form=MergeForm(request.POST),
        act=lambda complaint, data: services.complaint_merge(
            complaint=complaint,
            original_code=data["original"],
            actor=request.user,
            note=data["note"],
        ),
    )


@village_staff_page
@require_POST
def complaint_visibility_page(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        name="visibility",
        form=VisibilityForm(request.POST),
        act=lambda complaint, data: services.complaint_visibility_set(
            complaint=complaint, actor=request.user, hidden=data["hidden"], reason=data["reason"]
        ),
    )


# -- escalation settings (every staff member reads; the kepala desa and sekretaris change) --

SETTINGS_EDITORS = (StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS)


def _settings(request: HttpRequest, *, form=None, status: int = 200) -> HttpResponse:
    row = selectors.complaint_settings_current()
    initial = {"escalate_after_days": row.escalate_after_days}
    context = {
        "form": form or ComplaintSettingsForm(initial=initial),
        "may_edit": request_staff_role(request) in SETTINGS_EDITORS,
        "escalate_after_days": row.escalate_after_days,
        "categories": selectors.categories_active(),
    }
    return render(request, "complaints/settings.html", context, status=status)


@village_staff_page
def complaint_settings_page(request: HttpRequest) -> HttpResponse:
    return _settings(request)


@village_staff_page_for(*SETTINGS_EDITORS)
@require_POST
def complaint_settings_save_page(request: HttpRequest) -> HttpResponse:
    form = ComplaintSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_settings_update(
                escalate_after_days=form.cleaned_data["escalate_after_days"]
            )
        except BalaiError as error:
            add_balai_errors(form, error)
            return _settings(request, form=form, status=error.status)
        messages.success(request, _("Pengaturan eskalasi disimpan."))
        return redirect("page-complaint-settings")
    return _settings(request, form=form, status=400)
