"""Sentry events carry the village and never a resident's personal data.

Sentry is initialised with a transport that keeps the envelopes in memory (no network),
and the test module doubles as a URLconf with a view that fails while holding a
resident's data in its request, locals, extra data, breadcrumbs and exception message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import sentry_sdk
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path
from django_tenants.utils import schema_context
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from balai.sentry import FILTERED, init_sentry, tag_village
from services.village.tasks import village_stats_refresh
from tests.conftest import host_of

logger = logging.getLogger("balai.tests.sentry")

NIK = "1808115705900077"
KK = "1808110101900099"
PHONE_LOCAL = "081234567890"
PHONE_INTERNATIONAL = "+6285712345678"
FULL_NAME = "Sulastri Wulandari"
PIN = "975319"
PASSWORD = "rahasia-sekali-42"
CSRF_SECRET = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"
PERSONAL_DATA = [NIK, KK, PHONE_LOCAL, PHONE_INTERNATIONAL.lstrip("+"), FULL_NAME, PIN, PASSWORD]


def resident_lookup_that_fails(request: HttpRequest) -> HttpResponse:
    nik = request.POST["nik"]
    no_kk = request.POST["no_kk"]
    full_name = request.POST["full_name"]
    phone = request.POST["phone"]
    lookup_note = f"lookup of {nik} in KK {no_kk}, call {phone}"
    sentry_sdk.set_extra("resident", {"nik": nik, "nama": full_name, "phone": phone})
    sentry_sdk.set_extra("note", lookup_note)
    logger.warning("resident lookup nik=%s phone %s", nik, PHONE_INTERNATIONAL)
    sentry_sdk.add_breadcrumb(
        category="residents", message=f"lookup {nik}", data={"full_name": full_name, "kk": no_kk}
    )
    raise RuntimeError(f"resident {nik} not found ({lookup_note})")


def public_page_that_fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("public page failed")


urlpatterns = [
    path("boom/", resident_lookup_that_fails),
    path("public-boom/", public_page_that_fails),
]


class CapturingTransport(Transport):
    """Keeps what Sentry would send, instead of sending it."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def flush(self, timeout: float, callback=None) -> None:
        pass

    def kill(self) -> None:
        pass

    @property
    def events(self) -> list[dict]:
        return [event for env in self.envelopes if (event := env.get_event()) is not None]

    def sent_bytes(self) -> str:
        return b"".join(env.serialize() for env in self.envelopes).decode()


@pytest.fixture
def sentry_transport() -> Iterator[CapturingTransport]:
    transport = CapturingTransport()
    init_sentry(dsn="https://public@sentry.example/1", environment="test", transport=transport)
    try:
        # A scope of its own, so tags and extra set here do not reach other tests.
        with sentry_sdk.isolation_scope():
            yield transport
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)


def request_through_wsgi(method: str, host: str, url: str, data: dict | None = None) -> int:
    """Serve a request the way gunicorn does, through WSGIHandler (which Sentry wraps),
    not through the test client, which skips the WSGI layer where Sentry records the URL,
    query string and headers."""
    factory = RequestFactory(HTTP_HOST=host)
    # The CSRF middleware runs as in production: send a matching cookie and form token.
    factory.cookies["csrftoken"] = CSRF_SECRET
    data = {**(data or {}), "csrfmiddlewaretoken": CSRF_SECRET} if method == "post" else data
    request = getattr(factory, method)(url, data or {})
    status: list[str] = []
    # As the test client does: a request must not close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(request.environ, lambda code, headers, *_: status.append(code))
        b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(status[0].split()[0])


def the_only_event(transport: CapturingTransport) -> dict:
    events = transport.events
    assert len(events) == 1, events
    return events[0]


def frame_vars(event: dict, function: str) -> dict:
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    return next(frame["vars"] for frame in frames if frame["function"] == function)


@override_settings(ROOT_URLCONF=__name__)
def test_an_error_on_a_village_host_carries_the_village_tags(cast, sentry_transport):
    # when
    status = request_through_wsgi(
        "post",
        host_of(cast.village_a),
        "/boom/",
        {"nik": NIK, "no_kk": KK, "full_name": FULL_NAME, "phone": PHONE_LOCAL},
    )

    # then
    assert status == 500
    tags = the_only_event(sentry_transport)["tags"]
    assert tags["village_schema"] == cast.village_a.schema_name
    assert tags["region_code"] == "18.08.11.2001"
    assert tags["kecamatan_code"] == "18.08.11"
    assert tags["kabupaten_code"] == "18.08"


@override_settings(ROOT_URLCONF=__name__, PUBLIC_SCHEMA_URLCONF=__name__)
def test_an_error_on_the_public_host_after_a_village_request_has_no_village_tags(
    cast, sentry_transport, settings
):
    # given: the same process has just served village A (each WSGI request has its own
    # Sentry scope, so this holds even without tag_village clearing the tags)
    request_through_wsgi(
        "post",
        host_of(cast.village_a),
        "/boom/",
        {"nik": NIK, "no_kk": KK, "full_name": FULL_NAME, "phone": PHONE_LOCAL},
    )

    # when
    request_through_wsgi("get", settings.BALAI_BASE_DOMAIN, "/public-boom/")

    # then
    public_event = sentry_transport.events[-1]
    assert public_event["exception"]["values"][-1]["value"] == "public page failed"
    assert public_event["tags"]["village_schema"] == "public"
    assert not {"region_code", "kecamatan_code", "kabupaten_code"} & set(public_event["tags"])


@override_settings(ROOT_URLCONF=__name__)
def test_personal_data_never_leaves_in_an_error_event(cast, sentry_transport):
    # when
    request_through_wsgi(
        "post",
        host_of(cast.village_a),
        f"/boom/?nik={NIK}&page=2",
        {
            "nik": NIK,
            "no_kk": KK,
            "full_name": FULL_NAME,
            "phone": PHONE_LOCAL,
            "pin": PIN,
            "password": PASSWORD,
            "keperluan": "surat domisili",
        },
    )

    # then: nothing personal anywhere in what would be sent ...
    sent = sentry_transport.sent_bytes()
    for value in [*PERSONAL_DATA, CSRF_SECRET]:
        assert value not in sent
    # ... and that is because it was scrubbed where it was, not because it was never there
    event = the_only_event(sentry_transport)
    data = event["request"]["data"]
    for key in ("nik", "no_kk", "full_name", "phone", "pin", "password"):
        assert data[key] == FILTERED
    assert data["keperluan"] == "surat domisili"
    assert event["request"]["query_string"] == f"nik={FILTERED}&page=2"
    assert event["request"]["env"]["SERVER_NAME"] == "testserver"
    assert event["extra"]["resident"] == {"nik": FILTERED, "nama": FILTERED, "phone": FILTERED}
    assert event["extra"]["note"] == "lookup of [nik/kk] in KK [nik/kk], call [phone]"
    crumbs = event["breadcrumbs"]["values"]
    assert {"category": "residents", "message": "lookup [nik/kk]"}.items() <= crumbs[-1].items()
    assert crumbs[-1]["data"] == {"full_name": FILTERED, "kk": FILTERED}
    assert crumbs[-2]["message"] == f"resident lookup nik={FILTERED} phone [phone]"
    local_vars = frame_vars(event, "resident_lookup_that_fails")
    for name in ("nik", "no_kk", "full_name", "phone"):
        assert local_vars[name] == FILTERED
    assert "[nik/kk]" in local_vars["lookup_note"] and "[phone]" in local_vars["lookup_note"]
    assert event["exception"]["values"][-1]["value"].startswith("resident [nik/kk] not found")


def test_switching_a_scope_from_a_village_to_public_drops_the_village_tags(cast, sentry_transport):
    # given
    tag_village(cast.village_a)

    # when
    tag_village(None)
    sentry_sdk.capture_message("served the public host")

    # then
    tags = the_only_event(sentry_transport)["tags"]
    assert tags == {"village_schema": "public"}


def test_a_captured_message_with_a_nik_is_scrubbed(sentry_transport):
    # when
    sentry_sdk.capture_message(f"NIK {NIK} tidak ditemukan di KK {KK}, hubungi {PHONE_LOCAL}")

    # then
    event = the_only_event(sentry_transport)
    assert event["message"] == "NIK [nik/kk] tidak ditemukan di KK [nik/kk], hubungi [phone]"
    assert NIK not in sentry_transport.sent_bytes()


def test_an_error_in_a_village_task_carries_the_village_tags_and_no_personal_data(
    cast, sentry_transport
):
    # given: a malformed argument that happens to be a NIK, so the task fails with it
    with schema_context(cast.village_b.schema_name):
        # when
        result = village_stats_refresh.apply(kwargs={"requested_at": NIK})

    # then
    assert result.failed()
    event = the_only_event(sentry_transport)
    assert event["tags"]["village_schema"] == cast.village_b.schema_name
    assert event["tags"]["region_code"] == "18.08.11.2002"
    assert event["tags"]["kecamatan_code"] == "18.08.11"
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert NIK not in sentry_transport.sent_bytes()
    assert "[nik/kk]" in json.dumps(event["exception"])
