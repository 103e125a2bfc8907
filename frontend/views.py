from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST

from balai.accounts.sessions import resident_session_login, session_logout, user_session_login
from balai.errors import BalaiError
from frontend.forms import ResidentLoginForm, UserLoginForm
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


def _apply_errors(form, error: BalaiError) -> None:
    for field_error in error.errors:
        form.add_error(
            field_error.field if field_error.field in form.fields else None,
            field_error.message if translation.get_language() == "id" else field_error.message_en,
        )


@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    """One login page: residents (NIK + PIN) on village hosts, staff and supervisors by password."""
    village = getattr(request, "village", None)
    kind = request.POST.get("kind", "user")
    resident_form = ResidentLoginForm(
        request.POST if kind == "resident" else None, prefix="resident"
    )
    user_form = UserLoginForm(request.POST if kind == "user" else None, prefix="user")
    status = 200
    if request.method == "POST":
        try:
            if kind == "resident" and village is not None and resident_form.is_valid():
                resident_session_login(request=request, **resident_form.cleaned_data)
                return redirect("/")
            if kind == "user" and user_form.is_valid():
                user_session_login(request=request, **user_form.cleaned_data)
                return redirect("/")
        except BalaiError as error:
            _apply_errors(resident_form if kind == "resident" else user_form, error)
        status = 400
    return render(
        request,
        "balai/login.html",
        {"village": village, "resident_form": resident_form, "user_form": user_form, "kind": kind},
        status=status,
    )


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    session_logout(request=request)
    return redirect("/")
