"""The village office: today's work on the staff dashboard, the resident's hub, staff and
roles, the audit log and the population statistics.

Thin views over balai.accounts (memberships), services.audit, services.residents
(statistics, key figures), services.letters and services.complaints (work waiting). The
/kantor/ and /warga/ routes stay in frontend.village_pages, which builds its pages with
:func:`staff_dashboard_context` and :func:`resident_home_context` from here.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from balai.accounts.models import StaffRole, User
from balai.accounts.selectors import staff_role, village_staff
from balai.accounts.services import (
    MEMBERSHIP_OBJECT,
    staff_member_add,
    staff_member_remove,
    staff_member_role_change,
)
from balai.errors import BalaiError
from frontend.access import village_staff_page, village_staff_page_for
from frontend.charts import Bar, PyramidRow, bar_chart, population_pyramid
from frontend.forms import add_balai_errors, balai_error_messages
from frontend.office_forms import AuditFilterForm, StaffMemberAddForm, StaffRoleForm
from services.audit.models import ActorKind
from services.audit.selectors import READ_ACTIONS, AuditFilters, audit_entries, audit_readers
from services.complaints.models import ComplaintStatus
from services.complaints.selectors import complaints_filter, complaints_visible_to
from services.imports.models import ImportJob, JobKind, JobStatus
from services.letters.selectors import letters_waiting_for
from services.notifications.models import InboxItem, RecipientKind
from services.residents.models import Family, Resident
from services.residents.reference import EventKind, ResidentStatus
from services.residents.selectors import event_list
from services.residents.statistics import village_statistics_cached

AUDIT_PAGE_SIZE = 50
# The audit log is read by the kepala desa and the sekretaris (services.audit.views); staff
# and roles are changed by the kepala desa only, who answers for who works in the office.
AUDIT_ROLES = (StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS)
STAFF_MANAGER_ROLES = (StaffRole.KEPALA_DESA,)
# What the summary of readers covers when no date range is chosen.
READERS_DEFAULT_DAYS = 30
OBJECT_TYPES = {
    "resident": gettext_lazy("Penduduk"),
    "family": gettext_lazy("Keluarga"),
    "population_event": gettext_lazy("Peristiwa kependudukan"),
    "letter": gettext_lazy("Surat"),
    "letter_type": gettext_lazy("Jenis surat"),
    "letter_settings": gettext_lazy("Pengaturan surat"),
    "import_job": gettext_lazy("Impor/ekspor"),
    MEMBERSHIP_OBJECT: gettext_lazy("Peran staf"),
}


# --- The staff dashboard and the resident's hub -----------------------------------------


def _page_url(name: str, *args: Any) -> str:
    """Another area's page, or "" when this host has none (as the page_url template tag)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _key_figures(today: datetime.date) -> dict[str, int]:
    month_start = today.replace(day=1)
    return {
        "residents": Resident.objects.filter(status=ResidentStatus.ALIVE).count(),
        "families": Family.objects.count(),
        "births": event_list(kind=EventKind.BIRTH, date_from=month_start, date_to=today).count(),
        "deaths": event_list(kind=EventKind.DEATH, date_from=month_start, date_to=today).count(),
    }


def _complaints_waiting() -> dict[str, int]:
    complaints = complaints_visible_to(is_staff=True, resident_id=None)
    return {
        "new": complaints_filter(complaints, status=ComplaintStatus.NEW).count(),
        "overdue": complaints_filter(complaints, overdue=True).count(),
    }


def staff_dashboard_context(request: HttpRequest, *, role: str) -> dict[str, Any]:
    """Today's work for this role: what waits for it, and the village's key figures."""
    today = timezone.localdate()
    figures = _key_figures(today)
    imports = ImportJob.objects.filter(
        kind=JobKind.RESIDENT_IMPORT, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).order_by("-created_at")[:5]
    return {
        "village": request.village,
        "role": role,
        "role_label": StaffRole(role).label,
        "today": today,
        "letters": letters_waiting_for(role=role),
        "complaints": _complaints_waiting(),
        "imports": list(imports),
        "figures": figures,
        # The name the existing pages and tests know the register's size by.
        "resident_count": figures["residents"],
    }


# The resident's services, each another area's page; those this host lacks drop out.
RESIDENT_SERVICES = [
    (gettext_lazy("Data saya dan keluarga"), "page-my-data"),
    (gettext_lazy("Surat saya"), "page-my-letters"),
    (gettext_lazy("Ajukan surat"), "page-letter-request"),
    (gettext_lazy("Pengaduan saya"), "page-my-complaints"),
    (gettext_lazy("Pemberitahuan"), "page-notification-inbox"),
    (gettext_lazy("Pelatihan saya"), "page-my-programmes"),
    (gettext_lazy("Usaha saya"), "page-my-business"),
    (gettext_lazy("Pengaturan pemberitahuan"), "page-notification-preferences"),
]


def resident_home_context(request: HttpRequest) -> dict[str, Any]:
    # The principal names its own village's schema (checked by the session middleware),
    # and these queries run in the schema of the host: the same village.
    resident_id = request.resident.resident_id
    services = [
        {"label": label, "url": url, "inbox": name == "page-notification-inbox"}
        for label, name in RESIDENT_SERVICES
        if (url := _page_url(name))
    ]
    return {
        "village": request.village,
        "services": services,
        "inbox_url": _page_url("page-notification-inbox"),
        "resident": Resident.objects.filter(pk=resident_id).first(),
        "unread": InboxItem.objects.filter(
            recipient_kind=RecipientKind.RESIDENT,
            recipient_id=str(resident_id),
            read_at__isnull=True,
        ).count(),
    }


# --- Staff and roles ----------------------------------------------------------------------


def _staff_page(
    request: HttpRequest,
    *,
    add_form: StaffMemberAddForm | None = None,
    role_forms: dict[int, StaffRoleForm] | None = None,
    row_errors: dict[int, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    members = list(village_staff(village=request.village))
    role_forms, row_errors = role_forms or {}, row_errors or {}
    rows = [
        {
            "membership": member,
            "form": role_forms.get(member.pk)
            or StaffRoleForm(initial={"role": member.role}, prefix=f"m{member.pk}"),
            "is_me": member.user_id == request.user.pk,
            "errors": row_errors.get(member.pk, []),
        }
        for member in members
    ]
    return render(
        request,
        "office/staff_members.html",
        {"rows": rows, "add_form": add_form or StaffMemberAddForm(prefix="new")},
        status=status,
    )


@village_staff_page_for(*STAFF_MANAGER_ROLES)
def staff_members(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _staff_page(request)
    form = StaffMemberAddForm(request.POST, prefix="new")
    if form.is_valid():
        data = form.cleaned_data
        try:
            membership, generated = staff_member_add(
                actor=request.user,
                village=request.village,
                username=data["username"],
                role=data["role"],
                password=data["password"],
                first_name=data["first_name"],
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            messages.success(
                request,
                _("%(user)s kini %(role)s.")
                % {"user": membership.user.username, "role": membership.get_role_display()},
            )
            if generated:
                # Shown once, on the next page only: the account's owner changes it later.
                messages.warning(
                    request,
                    _("Kata sandi awal %(user)s: %(password)s — berikan kepadanya sekarang.")
                    % {"user": membership.user.username, "password": generated},
                )
            return redirect("page-staff-members")
    return _staff_page(request, add_form=form, status=400)


@village_staff_page_for(*STAFF_MANAGER_ROLES)
@require_POST
def staff_member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    form = StaffRoleForm(request.POST, prefix=f"m{membership_id}")
    if form.is_valid():
        try:
            membership = staff_member_role_change(
                actor=request.user,
                village=request.village,
                membership_id=membership_id,
                role=form.cleaned_data["role"],
            )
        except BalaiError as error:
            if error.status == 404:
                raise Http404 from error
            add_balai_errors(form, error)
        else:
            messages.success(
                request,
                _("Peran %(user)s kini %(role)s.")
                % {"user": membership.user.username, "role": membership.get_role_display()},
            )
            return _back_to_the_office(request)
    return _staff_page(request, role_forms={membership_id: form}, status=400)


@village_staff_page_for(*STAFF_MANAGER_ROLES)
@require_POST
def staff_member_delete(request: HttpRequest, membership_id: int) -> HttpResponse:
    try:
        staff_member_remove(
            actor=request.user, village=request.village, membership_id=membership_id
        )
    except BalaiError as error:
        if error.status == 404:
            raise Http404 from error
        return _staff_page(
            request, row_errors={membership_id: balai_error_messages(error)}, status=400
        )
    messages.success(request, _("Staf telah dikeluarkan dari desa ini."))
    return _back_to_the_office(request)


def _back_to_the_office(request: HttpRequest) -> HttpResponse:
    """The staff list, unless the user just changed or removed their own managing role."""
    role = staff_role(user=request.user, village=request.village)
    if role in STAFF_MANAGER_ROLES:
        return redirect("page-staff-members")
    return redirect("staff-dashboard" if role else "village-home")


# --- The audit log ------------------------------------------------------------------------


def _audit_filters(form: AuditFilterForm) -> AuditFilters:
    data = form.cleaned_data
    actor = data.get("actor") or ""
    actor_kind, _colon, actor_id = actor.partition(":")
    return AuditFilters(
        action=data.get("action") or None,
        object_type=data.get("object_type") or None,
        actor_kind=actor_kind or None,
        actor_id=int(actor_id) if actor_id.isdigit() else None,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )


def _actor_names(user_ids: set[int]) -> dict[int, str]:
    users = User.objects.filter(pk__in=user_ids).values_list("pk", "username", "first_name")
    return {
        pk: f"{first_name} ({username})" if first_name else username
        for pk, username, first_name in users
    }


def _actor_label(kind: str, actor_id: int | None, names: dict[int, str]) -> str:
    if kind == ActorKind.USER:
        return names.get(actor_id, _("Akun #%(id)s") % {"id": actor_id})
    if kind == ActorKind.RESIDENT:
        return _("Warga #%(id)s") % {"id": actor_id}
    return _("Sistem")


def _object_url(object_type: str, object_id: str) -> str:
    """The registry's page of a person named in the log, when this host has that page."""
    if object_type == "resident" and object_id.isdigit():
        return _page_url("page-resident-detail", int(object_id))
    return ""


@village_staff_page_for(*AUDIT_ROLES)
def audit_log(request: HttpRequest) -> HttpResponse:
    staff = village_staff(village=request.village)
    form = AuditFilterForm(
        request.GET,
        staff_choices=[
            (f"{ActorKind.USER}:{m.user_id}", m.user.get_full_name() or m.user.username)
            for m in staff
        ],
        object_types=list(OBJECT_TYPES.items()),
    )
    if not form.is_valid():
        return render(request, "office/audit_log.html", {"form": form, "page": None}, status=400)
    filters = _audit_filters(form)
    page = Paginator(audit_entries(filters=filters), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    readers_filters = filters
    if not (filters.date_from or filters.date_to):
        since = timezone.localdate() - datetime.timedelta(days=READERS_DEFAULT_DAYS)
        readers_filters = dataclasses.replace(filters, date_from=since)
    readers = audit_readers(filters=readers_filters)
    names = _actor_names(
        {e.actor_id for e in page if e.actor_kind == ActorKind.USER and e.actor_id}
        | {r["actor_id"] for r in readers if r["actor_kind"] == ActorKind.USER and r["actor_id"]}
    )
    entries = [
        {
            "entry": entry,
            "actor": _actor_label(entry.actor_kind, entry.actor_id, names),
            "object_label": OBJECT_TYPES.get(entry.object_type, entry.object_type),
            "is_read": entry.action in READ_ACTIONS,
            "object_url": _object_url(entry.object_type, entry.object_id),
        }
        for entry in page
    ]
    for reader in readers:
        reader["actor"] = _actor_label(reader["actor_kind"], reader["actor_id"], names)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "office/audit_log.html",
        {
            "form": form,
            "page": page,
            "entries": entries,
            "readers": readers,
            "readers_since": readers_filters.date_from,
            "readers_until": readers_filters.date_to,
            "query": query.urlencode(),
        },
    )


# --- Population statistics ----------------------------------------------------------------


def _bars(rows: list[dict[str, Any]]) -> list[Bar]:
    """The groups that have anyone, largest first: a chart of 36 occupations, most of them
    zero, says less than the table beside it, which keeps every group."""
    counted = sorted((row for row in rows if row["count"]), key=lambda row: -row["count"])
    return [Bar(Truncator(str(row["label"])).chars(28), row["count"]) for row in counted]


@village_staff_page
def statistics(request: HttpRequest) -> HttpResponse:
    """Aggregates only (no personal data, no audit row), as the statistics API."""
    figures = village_statistics_cached(today=timezone.localdate())
    male, female = _("Laki-laki"), _("Perempuan")
    pyramid_rows = [
        PyramidRow(row["age_group"], row["L"], row["P"])
        for row in figures["by_age_group_and_sex"]
        if row["age_group"] != "unknown"
    ]
    dusun_rows = [{**row, "label": row["dusun"] or _("Tanpa dusun")} for row in figures["by_dusun"]]
    breakdowns = [
        ("dusun", _("Menurut dusun"), dusun_rows),
        ("education", _("Menurut pendidikan"), figures["by_education"]),
        ("occupation", _("Menurut pekerjaan"), figures["by_occupation"]),
        ("religion", _("Menurut agama"), figures["by_religion"]),
        ("marital_status", _("Menurut status perkawinan"), figures["by_marital_status"]),
    ]
    sections = [
        {
            "key": key,
            "title": title,
            "rows": rows,
            "chart": bar_chart(bars, title=title, label_width=190) if (bars := _bars(rows)) else "",
        }
        for key, title, rows in breakdowns
    ]
    return render(
        request,
        "office/statistics.html",
        {
            "figures": figures,
            "as_of": datetime.date.fromisoformat(figures["as_of"]),
            "male": figures["by_sex"].get("L", 0),
            "female": figures["by_sex"].get("P", 0),
            "pyramid": population_pyramid(
                pyramid_rows, title=_("Piramida penduduk"), male=male, female=female
            ),
            "age_rows": figures["by_age_group_and_sex"],
            "sections": sections,
        },
    )
