"""The village's dusun -> RW -> RT tree for its staff (/kantor/wilayah/).

Every staff member may read it (the API's list is public); adding, renaming and removing
are the kepala desa's and sekretaris's, as services.village.views.ProfileEditors allows.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_GET, require_POST

from balai.accounts.models import StaffRole
from balai.errors import BalaiError
from frontend.access import request_staff_role, village_staff_page, village_staff_page_for
from frontend.areas_forms import AreaForm, AreaRenameForm
from frontend.forms import add_balai_errors, balai_error_messages
from services.village import services as village_services
from services.village.models import Area, AreaLevel
from services.village.selectors import area_tree_with_counts

AREA_EDITORS = (StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS)


def _parent_choices(tree: list[dict]) -> list[tuple[int, str]]:
    """Dusun and RW (the areas that can hold another), each RW named with its dusun."""
    choices = []
    for dusun in tree:
        choices.append((dusun["area"].pk, str(dusun["area"])))
        for rw in dusun["children"]:
            if rw["area"].level == AreaLevel.RW:
                choices.append((rw["area"].pk, f"{rw['area']} ({dusun['area']})"))
    return choices


def _areas_page(
    request: HttpRequest,
    *,
    form: AreaForm | None = None,
    rename: tuple[int, AreaRenameForm] | None = None,
    remove_error: tuple[int, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    tree = area_tree_with_counts()
    parents = _parent_choices(tree)
    if form is None:
        initial = {"level": AreaLevel.DUSUN}
        parent = request.GET.get("induk", "")
        for pk, _label in parents:
            if str(pk) == parent:
                level = next(n["area"].level for n in _walk(tree) if n["area"].pk == pk)
                child = AreaLevel.RW if level == AreaLevel.DUSUN else AreaLevel.RT
                initial = {"parent": pk, "level": child}
        form = AreaForm(initial=initial, parents=parents)
    return render(
        request,
        "areas/staff_areas.html",
        {
            "village": request.village,
            "tree": tree,
            "form": form,
            "may_edit": request_staff_role(request) in AREA_EDITORS,
            "rename": rename,
            "remove_error": remove_error,
        },
        status=status,
    )


def _walk(nodes: list[dict]):
    for node in nodes:
        yield node
        yield from _walk(node["children"])


@village_staff_page
@require_GET
def staff_areas(request: HttpRequest) -> HttpResponse:
    return _areas_page(request)


@village_staff_page_for(*AREA_EDITORS)
@require_POST
def staff_area_add(request: HttpRequest) -> HttpResponse:
    parents = _parent_choices(area_tree_with_counts())
    form = AreaForm(request.POST, parents=parents)
    if form.is_valid():
        data = form.cleaned_data
        try:
            area = village_services.area_create(
                level=data["level"], name=data["name"], parent_id=data["parent"]
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            messages.success(request, _t("%(area)s ditambahkan.") % {"area": area})
            return redirect("page-staff-areas")
    return _areas_page(request, form=form, status=400)


@village_staff_page_for(*AREA_EDITORS)
@require_POST
def staff_area_rename(request: HttpRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(Area, pk=pk)
    form = AreaRenameForm(request.POST, auto_id=f"nama-{area.pk}-%s")
    if form.is_valid():
        try:
            area = village_services.area_update(area_id=area.pk, name=form.cleaned_data["name"])
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            messages.success(request, _t("%(area)s disimpan.") % {"area": area})
            return redirect("page-staff-areas")
    return _areas_page(request, rename=(area.pk, form), status=400)


@village_staff_page_for(*AREA_EDITORS)
@require_POST
def staff_area_delete(request: HttpRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(Area, pk=pk)
    try:
        village_services.area_delete(area_id=area.pk)
    except BalaiError as error:
        return _areas_page(
            request, remove_error=(area.pk, balai_error_messages(error)), status=error.status
        )
    messages.success(request, _t("%(area)s dihapus.") % {"area": area})
    return redirect("page-staff-areas")
