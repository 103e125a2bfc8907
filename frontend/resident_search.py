"""The staff pages' "find a resident by NIK or name" box (htmx search-as-you-type), shared by
the programme registration and the business registration pages."""

from __future__ import annotations

from django.http import HttpRequest

from frontend.learning_forms import ResidentSearchForm
from services.residents.reference import ResidentStatus
from services.residents.selectors import ResidentFilters, resident_list
from services.residents.services import resident_search_audit

SEARCH_LIMIT = 10


def resident_search(request: HttpRequest, form: ResidentSearchForm, *, page: str) -> list | None:
    """Living residents matching the NIK (digits) or name searched, None when nothing was
    searched. Audited as the register's list is (which filters, how many came back; never
    the term), with ``page`` naming where the search was made."""
    if not form.is_valid() or not form.cleaned_data["q"].strip():
        return None
    term = form.cleaned_data["q"].strip()
    filters = ResidentFilters.for_term(term)
    found = list(resident_list(filters=filters).filter(status=ResidentStatus.ALIVE)[:SEARCH_LIMIT])
    resident_search_audit(actor=request.user, filters=filters, returned=len(found), page=page)
    return found
