"""Notification pages of a village host: the resident's inbox and preferences, and the
staff's delivery log. Reads through services.notifications.selectors, writes through its
services."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from balai.errors import BalaiError
from frontend.access import resident_page, village_staff_page
from frontend.forms import add_balai_errors, balai_error_messages
from frontend.notifications_forms import MessageLogFilterForm, PreferenceForm
from frontend.pages import page_of
from services.notifications import selectors, services
from services.notifications.models import MessageStatus, RecipientKind

INBOX_PAGE_SIZE = 20
LOG_PAGE_SIZE = 50


def _me(request: HttpRequest) -> dict[str, str]:
    return {
        "recipient_kind": RecipientKind.RESIDENT,
        "recipient_id": str(request.resident.resident_id),
    }


def _inbox(request: HttpRequest, *, partial: bool) -> HttpResponse:
    items = selectors.inbox_items_for(**_me(request))
    page = page_of(request, items, INBOX_PAGE_SIZE, "page")
    context = {"page": page, "unread": selectors.inbox_unread_count(**_me(request))}
    template = "notifications/_inbox_list.html" if partial else "notifications/inbox.html"
    return render(request, template, context)


@resident_page
def inbox_page(request: HttpRequest) -> HttpResponse:
    return _inbox(request, partial=bool(request.htmx))


@resident_page
@require_POST
def inbox_read_page(request: HttpRequest, item_id: int) -> HttpResponse:
    # Scoped by the owner: another person's item id answers 404.
    item = selectors.inbox_item_get_for(item_id=item_id, **_me(request))
    if item is None:
        raise Http404
    services.inbox_item_read(item=item)
    if request.htmx:
        return _inbox(request, partial=True)
    return redirect("page-notification-inbox")


@resident_page
@require_http_methods(["GET", "POST"])
def preferences_page(request: HttpRequest) -> HttpResponse:
    preference = selectors.preference_for(**_me(request))
    initial = {
        "channels": preference.channels,
        "announcements": preference.announcements,
        "language": preference.language,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.preference_set(
                **_me(request),
                channels=data["channels"],
                announcements=data["announcements"],
                language=data["language"] or "id",
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            messages.success(request, _("Pengaturan notifikasi disimpan."))
            return redirect("page-notification-preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _log(request: HttpRequest, params: QueryDict, *, partial: bool, status: int = 200):
    form = MessageLogFilterForm(params)
    filters = form.cleaned_data if form.is_valid() else {}
    log = selectors.messages_log(
        status=filters.get("status", ""), channel=filters.get("channel", "")
    )
    page = Paginator(log, LOG_PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    counts = selectors.message_status_counts()
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        # The page the table shows, so that a retry comes back to it.
        "here": params.urlencode(),
        "counts": [(value, label, counts.get(value, 0)) for value, label in MessageStatus.choices],
    }
    template = "notifications/_log_table.html" if partial else "notifications/log.html"
    return render(request, template, context, status=status)


@village_staff_page
def message_log_page(request: HttpRequest) -> HttpResponse:
    partial = bool(request.htmx and request.htmx.target == "message-results")
    return _log(request, request.GET, partial=partial)


@village_staff_page
@require_POST
def message_retry_page(request: HttpRequest, message_id: int) -> HttpResponse:
    """ "Kirim ulang": a failed message goes back to the outbox for the worker."""
    # The log's filters and page, to come back to (only ever a query string of this page).
    params = QueryDict(request.POST.get("query", ""))
    try:
        services.message_retry(message_id=message_id, actor=request.user)
    except BalaiError as error:
        for text in balai_error_messages(error):
            messages.error(request, text)
        return _log(request, params, partial=bool(request.htmx), status=error.status)
    messages.success(request, _("Pesan diantrekan untuk dikirim ulang."))
    if request.htmx:
        return _log(request, params, partial=True)
    url = reverse("page-notification-log")
    return redirect(f"{url}?{params.urlencode()}" if params else url)
