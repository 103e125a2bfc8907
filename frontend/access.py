"""Who may open which page. Every page view is wrapped in exactly one of these decorators.

The rule is the same everywhere: an anonymous visitor is sent to the login page (and back
afterwards), a signed-in principal without the right role gets the 403 page. The role
checks themselves are balai.accounts.selectors', never repeated here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from balai.accounts.selectors import staff_role, supervisor_region_codes

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/forbidden.html", status=403)


def is_signed_in(request: HttpRequest) -> bool:
    return request.user.is_authenticated or getattr(request, "resident", None) is not None


def request_staff_role(request: HttpRequest) -> str | None:
    """The user's role in the request's village, asked once per request."""
    if not hasattr(request, "_balai_staff_role"):
        village = getattr(request, "village", None)
        user = getattr(request, "user", None)
        role = None
        if village is not None and user is not None and user.is_authenticated:
            role = staff_role(user=user, village=village)
        request._balai_staff_role = role
    return request._balai_staff_role


def request_supervised_codes(request: HttpRequest) -> list[str]:
    if not hasattr(request, "_balai_supervised_codes"):
        user = getattr(request, "user", None)
        codes: list[str] = []
        if getattr(request, "village", None) is None and user is not None:
            codes = supervisor_region_codes(user=user)
        request._balai_supervised_codes = codes
    return request._balai_supervised_codes


def request_is_platform_admin(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(
        getattr(request, "village", None) is None
        and user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_platform_admin
    )


def _page(allowed: Callable[[HttpRequest], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not is_signed_in(request):
                return redirect_to_login(request.get_full_path())
            if not allowed(request):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


platform_admin_page = _page(request_is_platform_admin)
supervisor_page = _page(lambda request: bool(request_supervised_codes(request)))
village_staff_page = _page(lambda request: request_staff_role(request) is not None)
resident_page = _page(
    lambda request: (
        getattr(request, "resident", None) is not None
        and getattr(request, "village", None) is not None
    )
)


def village_staff_page_for(*roles: str) -> Callable[[View], View]:
    """Staff pages narrower than every staff role: mirror the roles the area's API allows."""
    return _page(lambda request: request_staff_role(request) in roles)
