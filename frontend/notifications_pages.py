"""Notification pages of a village host: the resident's inbox and preferences, and the
staff's delivery log. Reads through services.notifications.selectors, writes through its
services."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from balai.errors import BalaiError
from frontend.access import resident_page, village_staff_page
from frontend.forms import add_balai_errors
from frontend.notifications_forms import MessageLogFilterForm, PreferenceForm
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
    page = Paginator(items, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
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


@village_staff_page
def message_log_page(request: HttpRequest) -> HttpResponse:
    form = MessageLogFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    log = selectors.messages_log(
        status=filters.get("status", ""), channel=filters.get("channel", "")
    )
    page = Paginator(log, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.message_status_counts()
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "counts": [(value, label, counts.get(value, 0)) for value, label in MessageStatus.choices],
    }
    if request.htmx and request.htmx.target == "message-results":
        return render(request, "notifications/_log_table.html", context)
    return render(request, "notifications/log.html", context)
