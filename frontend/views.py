"""Pages every visitor meets: the public and village home pages, login and logout.

The pages of each role live beside this module (platform_pages, supervisor_pages,
village_pages); access to them goes through frontend.access.
"""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from balai.accounts.sessions import resident_session_login, session_logout, user_session_login
from balai.errors import BalaiError
from frontend.forms import ResidentLoginForm, UserLoginForm, add_balai_errors
from tenants.models import Village


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "schema": connection.schema_name})


def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "balai/public_home.html", {"village_count": Village.objects.count()})


# Where each role lands after logging in, unless the login page was sent a ``next``.
LANDING_URL_NAMES = {
    "platform_admin": "page-platform-village-list",
    "supervisor": "supervisor-dashboard",
    "resident": "resident-home",
}


def _landing(request: HttpRequest, role: str) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    # Any other role is village staff.
    return reverse(LANDING_URL_NAMES.get(role, "staff-dashboard"))


@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    """One login page: residents (NIK + PIN) on village hosts, staff and supervisors by password."""
    village = getattr(request, "village", None)
    kind = request.POST.get("kind", "user")
    # Only the form that was sent is bound: an unbound form shows no "required" errors.
    posted = request.POST if request.method == "POST" else None
    resident_form = ResidentLoginForm(posted if kind == "resident" else None, prefix="resident")
    user_form = UserLoginForm(posted if kind == "user" else None, prefix="user")
    status = 200
    if request.method == "POST":
        try:
            if kind == "resident" and village is not None and resident_form.is_valid():
                resident_session_login(request=request, **resident_form.cleaned_data)
                return redirect(_landing(request, "resident"))
            if kind == "user" and user_form.is_valid():
                role = user_session_login(request=request, **user_form.cleaned_data)
                return redirect(_landing(request, role))
        except BalaiError as error:
            add_balai_errors(resident_form if kind == "resident" else user_form, error)
        status = 400
    return render(
        request,
        "balai/login.html",
        {
            "village": village,
            "resident_form": resident_form,
            "user_form": user_form,
            "kind": kind,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=status,
    )


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    session_logout(request=request)
    return redirect("/")
