"""Small helpers the page modules share, each written once: a posted form through its
service, the object a scoping selector finds or a 404, a service's errors as flash messages,
one page of a list and the query string without its page number (for the pager's links)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest

from balai.errors import BalaiError
from frontend.forms import add_balai_errors, balai_error_messages

T = TypeVar("T")


def found_or_404(get: Callable[..., T], **kwargs) -> T:
    """What ``get(**kwargs)`` returns; a 404 where it refuses (not found, or not this
    user's: the selectors scope by actor, so another's object is "not found" too)."""
    try:
        return get(**kwargs)
    except BalaiError as error:
        raise Http404 from error


def flash_errors(request: HttpRequest, error: BalaiError) -> None:
    """A service's refusal as error messages on the next page (in the user's language)."""
    for message in balai_error_messages(error):
        messages.error(request, message)


def page_of(request: HttpRequest, items, per_page: int, param: str = "halaman") -> Page:
    """The page of ``items`` the query string asks for (a bad number gives the first or last)."""
    return Paginator(items, per_page).get_page(request.GET.get(param))


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without ``names`` (the pager adds its own page number)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def form_saved(request: HttpRequest, form, save: Callable[[], object], *, success: str) -> bool:
    """A posted form through its service: when valid, ``save()``; True once the service took
    it (``success`` shown as the next page's message), False on a GET, on bad input, or when
    the service refuses it (its errors then stand on the form's fields)."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        save()
    except BalaiError as error:
        add_balai_errors(form, error)
        return False
    messages.success(request, success)
    return True
