"""Open311 GeoReport v2 on each village host, at /open311/ (discovery) and /open311/v2/.

Follows http://wiki.open311.org/GeoReport_v2: field names, ``open``/``closed`` status,
``.json``/``.xml`` format suffixes and errors as ``[{"code": 400, "description": ...}]``.
Choices made where the specification leaves room:

- ``service_request_id`` is the complaint's tracking code (never the sequential id).
- Lists show public, not hidden complaints only. A single request by its id shows a
  private complaint too (the id is the filer's secret) but hidden text is withheld.
- ``api_key`` and ``jurisdiction_id`` are optional and not checked: anyone may file, with
  a phone number, under the same validation and rate limit as the complaints API.
- ``media_url`` is not fetched (that would let anyone make us request any URL); photos
  may be uploaded as ``media`` files in a multipart POST instead.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: N817  (builds our own XML, never parses input)
from datetime import UTC, datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse, JsonResponse
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from balai.errors import BalaiError
from services.complaints import selectors, services
from services.complaints.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Complaint,
    ComplaintUpdate,
)
from services.complaints.serializers import HIDDEN_TEXT
from services.complaints.views import client_ip
from services.village.models import VillageProfile

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-30T00:00:00Z"  # bump when what this endpoint offers changes
MAX_REQUESTS = 1000  # the specification's ceiling for one GET requests answer
DEFAULT_WINDOW = timedelta(days=90)  # the specification's default when no dates are given
FORMATS = {"json": "application/json", "xml": "text/xml"}
# Element names of list items in the XML form, as in the specification's examples.
XML_ITEM = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


# -- rendering ------------------------------------------------------------------------------


def _xml_fill(element: ET.Element, value, tag: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_fill(ET.SubElement(element, key), item, key)
    elif isinstance(value, list):
        for item in value:
            _xml_fill(ET.SubElement(element, XML_ITEM.get(tag, "item")), item, "item")
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(data, *, fmt: str, root: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        element = ET.Element(root)
        _xml_fill(element, data, root)
        body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="unicode")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def render_error(*, fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    errors = [{"code": status, "description": text} for text in descriptions]
    return render(errors, fmt=fmt, root="errors", status=status)


# Our field names as an Open311 client sent them.
OPEN311_FIELDS = {
    "category": "service_code",
    "latitude": "lat",
    "longitude": "long",
    "address": "address_string",
    "photos": "media",
}


def _open311_field(name: str) -> str:
    base, bracket, rest = name.partition("[")
    if base == "attributes" or name.startswith("attributes."):
        return f"attribute[{name.split('.', 1)[1]}]" if "." in name else "attribute"
    return OPEN311_FIELDS.get(base, base) + bracket + rest


def _balai_error(error: BalaiError, *, fmt: str) -> HttpResponse:
    return render_error(
        fmt=fmt,
        status=error.status,
        descriptions=[
            f"{_open311_field(e.field)}: {e.message_en} / {e.message}" for e in error.errors
        ],
    )


def _not_found(fmt: str, what: str) -> HttpResponse:
    return render_error(fmt=fmt, status=404, descriptions=[f"{what} not found / tidak ditemukan"])


def _datetime(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# -- presentation ---------------------------------------------------------------------------


def _agency(request) -> str:
    profile = VillageProfile.objects.filter(id=1).only("name", "local_term").first()
    if profile is None:
        return request.village.name
    return f"Pemerintah {profile.local_term.title()} {profile.name}"


def _status_notes(complaint: Complaint) -> str:
    if complaint.rejection_reason:
        return complaint.rejection_reason
    notes = [u.note for u in complaint.public_updates if u.note]
    return notes[-1] if notes else ""


def request_as_open311(complaint: Complaint, *, request, agency: str) -> dict:
    hidden = complaint.is_hidden
    media_url = ""
    photos = list(complaint.photos.all())
    if photos and not hidden:
        media_url = request.build_absolute_uri(reverse("complaint-photo", args=[photos[0].name]))
        if not complaint.is_public:
            media_url += f"?code={complaint.tracking_code}"
    return {
        "service_request_id": complaint.tracking_code,
        "status": "open" if complaint.status in OPEN_STATUSES else "closed",
        "status_notes": _status_notes(complaint),
        "service_name": complaint.category.name,
        "service_code": complaint.category.code,
        "description": HIDDEN_TEXT if hidden else complaint.description,
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": _datetime(complaint.created_at),
        "updated_datetime": _datetime(complaint.updated_at),
        "expected_datetime": _datetime(complaint.target_at),
        "address": complaint.address or (str(complaint.area) if complaint.area_id else ""),
        "address_id": "",
        "zipcode": "",
        "lat": float(complaint.latitude) if complaint.latitude is not None else None,
        "long": float(complaint.longitude) if complaint.longitude is not None else None,
        "media_url": media_url,
    }


def _with_public_notes(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return queryset.prefetch_related(
        Prefetch(
            "updates",
            queryset=ComplaintUpdate.objects.filter(is_public=True),
            to_attr="public_updates",
        )
    )


# -- views ----------------------------------------------------------------------------------


def discovery(request, fmt: str = "json"):
    base = request.build_absolute_uri("/open311/v2/").rstrip("/")
    profile = VillageProfile.objects.filter(id=1).only("email", "phone").first()
    contact = ", ".join(filter(None, [profile.email, profile.phone])) if profile else ""
    data = {
        "changeset": CHANGESET,
        "contact": contact or request.village.name,
        "key_service": "api_key tidak diperlukan / no api_key needed",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": list(FORMATS.values()),
            }
        ],
    }
    return render(data, fmt=fmt, root="discovery")


def services_list(request, fmt: str = "json"):
    data = [
        {
            "service_code": category.code,
            "service_name": category.name,
            "description": category.description or category.name_en,
            "metadata": bool(category.attributes),
            "type": "realtime",
            "keywords": "",
            "group": category.group,
        }
        for category in selectors.categories_active()
    ]
    return render(data, fmt=fmt, root="services")


def service_definition(request, code: str, fmt: str = "json"):
    category = selectors.categories_active().filter(code=code).first()
    if category is None:
        return _not_found(fmt, "service_code")
    data = {"service_code": category.code, "attributes": category.attributes}
    return render(data, fmt=fmt, root="service_definition")


def _parse_date(value: str, name: str) -> datetime:
    parsed = parse_datetime(value.strip()) if value else None
    if parsed is None:
        raise BalaiError.single(
            name,
            "invalid_date",
            "Tanggal harus berformat W3C, mis. 2026-01-01T00:00:00Z.",
            "Must be a W3C datetime, e.g. 2026-01-01T00:00:00Z.",
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def _requests_query(params) -> QuerySet[Complaint]:
    queryset = selectors.complaints_public()
    ids = [v.strip().upper() for v in params.get("service_request_id", "").split(",") if v.strip()]
    if ids:
        # Per the specification, the other filters are ignored when ids are given.
        return queryset.filter(tracking_code__in=ids[:MAX_REQUESTS])
    codes = [v.strip() for v in params.get("service_code", "").split(",") if v.strip()]
    if codes:
        queryset = queryset.filter(category__code__in=codes)
    statuses = {v.strip() for v in params.get("status", "").split(",") if v.strip()}
    unknown = statuses - {"open", "closed"}
    if unknown:
        raise BalaiError.single(
            "status",
            "invalid_choice",
            "Status harus open atau closed.",
            "Status must be open or closed.",
        )
    if statuses == {"open"}:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        queryset = queryset.filter(status__in=CLOSED_STATUSES)
    start = _parse_date(params["start_date"], "start_date") if params.get("start_date") else None
    end = _parse_date(params["end_date"], "end_date") if params.get("end_date") else None
    if start is None and end is None:
        start = timezone.now() - DEFAULT_WINDOW
    if start is not None:
        queryset = queryset.filter(created_at__gte=start)
    if end is not None:
        queryset = queryset.filter(created_at__lte=end)
    return queryset


def _file_from_post(request, fmt: str) -> HttpResponse:
    post = request.POST
    has_location = (post.get("lat") and post.get("long")) or post.get("address_string")
    if not has_location and not post.get("address_id"):
        return render_error(
            fmt=fmt,
            status=400,
            descriptions=[
                "lat/long: lat and long, or address_string, are required / "
                "lintang dan bujur, atau address_string, wajib diisi"
            ],
        )
    attributes = {
        key[len("attribute[") : -1]: (
            post.getlist(key) if len(post.getlist(key)) > 1 else post.get(key)
        )
        for key in post.keys()
        if key.startswith("attribute[") and key.endswith("]")
    }
    name = " ".join(filter(None, [post.get("first_name", ""), post.get("last_name", "")]))
    complaint = services.complaint_file(
        category_code=post.get("service_code", "").strip(),
        description=post.get("description", ""),
        is_public=post.get("private", "").lower() not in ("1", "true"),
        phone=post.get("phone", ""),
        email=post.get("email", "").strip(),
        name=name,
        latitude=post.get("lat"),
        longitude=post.get("long"),
        address=post.get("address_string", ""),
        attributes=attributes,
        photos=request.FILES.getlist("media"),
        client_ip=client_ip(request),
        filed_via="open311",
    )
    data = [
        {
            "service_request_id": complaint.tracking_code,
            "service_notice": (
                f"Simpan kode lacak {complaint.tracking_code} / "
                f"keep tracking code {complaint.tracking_code}"
            ),
            "account_id": None,
        }
    ]
    return render(data, fmt=fmt, root="service_requests", status=201)


@csrf_exempt  # Open311 clients post forms from other origins; no cookie is ever used here
@require_http_methods(["GET", "POST"])
def requests_collection(request, fmt: str = "json"):
    try:
        if request.method == "POST":
            return _file_from_post(request, fmt)
        queryset = _with_public_notes(_requests_query(request.GET))
        agency = _agency(request)
        data = [
            request_as_open311(c, request=request, agency=agency)
            for c in queryset.order_by("-created_at", "-id")[:MAX_REQUESTS]
        ]
        return render(data, fmt=fmt, root="service_requests")
    except BalaiError as error:
        return _balai_error(error, fmt=fmt)


@require_http_methods(["GET"])
def request_single(request, request_id: str, fmt: str = "json"):
    complaint = (
        _with_public_notes(
            Complaint.objects.select_related("category", "area").prefetch_related("photos")
        )
        .filter(tracking_code=services.tracking_code_normalise(request_id))
        .first()
    )
    if complaint is None:
        return _not_found(fmt, "service_request_id")
    data = [request_as_open311(complaint, request=request, agency=_agency(request))]
    return render(data, fmt=fmt, root="service_requests")


_FMT = r"(?:\.(?P<fmt>json|xml))?$"

urlpatterns = [
    re_path(r"^discovery" + _FMT, discovery, name="open311-discovery"),
    re_path(r"^v2/services" + _FMT, services_list, name="open311-services"),
    re_path(
        r"^v2/services/(?P<code>[-a-zA-Z0-9_]+)" + _FMT,
        service_definition,
        name="open311-service-definition",
    ),
    re_path(r"^v2/requests" + _FMT, requests_collection, name="open311-requests"),
    re_path(
        r"^v2/requests/(?P<request_id>[A-Za-z0-9]+)" + _FMT,
        request_single,
        name="open311-request",
    ),
]
