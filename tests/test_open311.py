"""Open311 GeoReport v2 on each village host: what an existing Open311 client expects."""

import xml.etree.ElementTree as ET  # noqa: N817

import pytest
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tests.complaints_support import GOOD_PHONE, complaint_make, fresh_media_and_limits, upload
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

V2 = "/open311/v2"


def _xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314  (our own server's answer, in a test)


@pytest.fixture(autouse=True)
def complaints_env(settings, tmp_path):
    yield from fresh_media_and_limits(settings, tmp_path)


def _post(village, **fields):
    data = {
        "service_code": "air-bersih",
        "description": "Air keruh.",
        "lat": "-4.53",
        "long": "104.56",
        "phone": GOOD_PHONE,
        **fields,
    }
    return client_for(village).post(f"{V2}/requests.json", data)


def test_discovery_names_the_v2_endpoint_and_its_formats(cast):
    body = client_for(cast.village_a).get("/open311/discovery.json").json()
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://negarabatin.localhost/open311/v2"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    xml = client_for(cast.village_a).get("/open311/discovery.xml")
    assert xml["Content-Type"].startswith("text/xml")
    assert _xml(xml.content).find("endpoints/endpoint/specification") is not None


def test_services_list_the_categories_with_metadata_flags(cast):
    services = client_for(cast.village_a).get(f"{V2}/services.json").json()
    by_code = {s["service_code"]: s for s in services}
    assert by_code["jalan"]["metadata"] is True
    assert by_code["sampah"]["metadata"] is False
    assert by_code["sampah"]["service_name"] == "Kebersihan dan sampah"
    assert {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    } <= set(by_code["sampah"])
    root = _xml(client_for(cast.village_a).get(f"{V2}/services.xml").content)
    assert root.tag == "services"
    assert {s.findtext("service_code") for s in root.findall("service")} == set(by_code)


def test_service_definitions_give_attributes_or_an_empty_list(cast):
    client = client_for(cast.village_a)
    road = client.get(f"{V2}/services/jalan.json").json()
    assert road["service_code"] == "jalan"
    (attribute,) = road["attributes"]
    assert attribute["datatype"] == "singlevaluelist" and attribute["required"] is True
    assert {v["key"] for v in attribute["values"]} == {"ringan", "sedang", "berat"}
    assert client.get(f"{V2}/services/sampah.json").json()["attributes"] == []
    root = _xml(client.get(f"{V2}/services/jalan.xml").content)
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key").text == "ringan"
    missing = client.get(f"{V2}/services/tidak-ada.json")
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404


def test_an_anonymous_client_posts_a_request_and_reads_it_back(cast):
    response = _post(cast.village_a, first_name="Budi", email="budi@example.org")
    assert response.status_code == 201, response.content
    (created,) = response.json()
    request_id = created["service_request_id"]
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    (single,) = client_for(cast.village_a).get(f"{V2}/requests/{request_id}.json").json()
    assert single["status"] == "open"
    assert single["service_code"] == "air-bersih"
    assert single["service_name"] == "Air bersih"
    assert single["lat"] == -4.53 and single["long"] == 104.56
    assert single["agency_responsible"] == "Pemerintah Kampung Negara Batin"
    assert single["requested_datetime"].endswith("+07:00")
    for field in (
        "service_request_id",
        "status_notes",
        "description",
        "updated_datetime",
        "expected_datetime",
        "address",
        "media_url",
    ):
        assert field in single
    assert "Budi" not in str(single) and "budi@" not in str(single)


def test_a_request_with_the_road_attribute_and_a_photo(cast):
    response = client_for(cast.village_a).post(
        f"{V2}/requests.json",
        {
            "service_code": "jalan",
            "description": "Jalan berlubang.",
            "address_string": "Jl. Poros Kampung, dekat masjid",
            "attribute[tingkat_kerusakan]": "berat",
            "phone": GOOD_PHONE,
            "media": [upload()],
        },
    )
    assert response.status_code == 201, response.content
    request_id = response.json()[0]["service_request_id"]
    (single,) = client_for(cast.village_a).get(f"{V2}/requests/{request_id}.json").json()
    assert single["address"] == "Jl. Poros Kampung, dekat masjid"
    assert "/api/complaints/media/" in single["media_url"]


@pytest.mark.parametrize(
    ("fields", "mention"),
    [
        ({"service_code": ""}, "service_code:"),
        ({"service_code": "tidak-ada"}, "service_code:"),
        ({"phone": ""}, "phone:"),
        ({"phone": "555"}, "phone:"),
        ({"lat": "51.5", "long": "-0.12"}, "lat:"),
        ({"lat": "-4.5", "long": "200"}, "long:"),
        ({"lat": "", "long": ""}, "lat/long"),
        ({"service_code": "jalan"}, "attribute[tingkat_kerusakan]:"),
    ],
)
def test_bad_posts_answer_in_the_open311_error_format(cast, fields, mention):
    response = _post(cast.village_a, **fields)
    assert response.status_code == 400
    errors = response.json()
    assert isinstance(errors, list)
    assert all(set(e) == {"code", "description"} and e["code"] == 400 for e in errors)
    assert any(mention in e["description"] for e in errors)


def test_errors_come_as_xml_for_xml_clients(cast):
    response = client_for(cast.village_a).post(f"{V2}/requests.xml", {"service_code": "sampah"})
    assert response.status_code == 400
    root = _xml(response.content)
    assert root.tag == "errors"
    assert root.find("error/code").text == "400"


def test_anonymous_posting_is_rate_limited_with_a_429(cast, settings):
    settings.BALAI_COMPLAINT_ANON_LIMIT = 1
    assert _post(cast.village_a).status_code == 201
    response = _post(cast.village_a)
    assert response.status_code == 429
    (error,) = response.json()
    assert error["code"] == 429 and "limit of 1" in error["description"]


def test_the_list_shows_public_complaints_with_open_closed_status(cast):
    from services.complaints.services import complaint_status_change

    open_one = complaint_make(cast.village_a)
    closed_one = complaint_make(cast.village_a, category_code="sampah")
    with schema_context(cast.village_a.schema_name):
        complaint_status_change(
            complaint=closed_one, actor=cast.alice, to_status="resolved", note="Sudah diangkut."
        )
    client = client_for(cast.village_a)
    rows = {r["service_request_id"]: r for r in client.get(f"{V2}/requests.json").json()}
    assert rows[open_one.tracking_code]["status"] == "open"
    assert rows[closed_one.tracking_code]["status"] == "closed"
    assert rows[closed_one.tracking_code]["status_notes"] == "Sudah diangkut."

    def ids(**params):
        return {r["service_request_id"] for r in client.get(f"{V2}/requests.json", params).json()}

    assert ids(status="open") == {open_one.tracking_code}
    assert ids(status="closed") == {closed_one.tracking_code}
    assert ids(service_code="sampah") == {closed_one.tracking_code}
    assert ids(service_request_id=f"{open_one.tracking_code},{closed_one.tracking_code}") == {
        open_one.tracking_code,
        closed_one.tracking_code,
    }
    assert ids(start_date="2099-01-01T00:00:00Z") == set()
    assert ids(end_date="2000-01-01T00:00:00Z") == set()
    assert ids(start_date="2000-01-01T00:00:00+07:00") == {
        open_one.tracking_code,
        closed_one.tracking_code,
    }
    bad = client.get(f"{V2}/requests.json", {"start_date": "kemarin"})
    assert bad.status_code == 400 and "start_date" in bad.json()[0]["description"]
    root = _xml(client.get(f"{V2}/requests.xml").content)
    assert root.tag == "service_requests"
    assert {r.findtext("service_request_id") for r in root.findall("request")} == set(rows)


def test_private_and_hidden_complaints_never_appear_in_lists(cast):
    from services.complaints.services import complaint_visibility_set

    private = complaint_make(cast.village_a, is_public=False, description="Rahasia")
    hidden = complaint_make(cast.village_a, description="Kata kasar")
    with schema_context(cast.village_a.schema_name):
        complaint_visibility_set(complaint=hidden, actor=cast.alice, hidden=True, reason="Kasar")
    client = client_for(cast.village_a)
    listed = client.get(f"{V2}/requests.json").json()
    by_id = client.get(
        f"{V2}/requests.json",
        {"service_request_id": f"{private.tracking_code},{hidden.tracking_code}"},
    ).json()
    assert listed == [] and by_id == []
    (single,) = client.get(f"{V2}/requests/{hidden.tracking_code}.json").json()
    assert "kasar" not in single["description"].lower()


def test_a_request_of_village_a_is_not_found_on_village_b(cast):
    complaint = complaint_make(cast.village_a)
    response = client_for(cast.village_b).get(f"{V2}/requests/{complaint.tracking_code}.json")
    assert response.status_code == 404
    assert response.json() == [
        {"code": 404, "description": "service_request_id not found / tidak ditemukan"}
    ]
    assert client_for(cast.village_b).get(f"{V2}/requests.json").json() == []


def test_open311_is_not_served_on_the_public_host(public_client):
    assert public_client.get(f"{V2}/services.json").status_code == 404


def test_the_request_list_costs_the_same_queries_for_many_requests(cast, settings):
    from django.db import connection

    settings.BALAI_COMPLAINT_ANON_LIMIT = 100
    client = client_for(cast.village_a)
    complaint_make(cast.village_a, photos=[upload()])
    client.get(f"{V2}/requests.json")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{V2}/requests.json")
    for _ in range(5):
        complaint_make(cast.village_a, photos=[upload()])
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{V2}/requests.json").json()) == 6

    def statements(context) -> list[str]:
        # SET search_path is issued only when the connection changed schema in between.
        return [q["sql"] for q in context.captured_queries if not q["sql"].startswith("SET ")]

    assert len(statements(many)) == len(statements(few)) <= 5


def test_a_bad_media_file_is_named_as_the_open311_field(cast):
    response = client_for(cast.village_a).post(
        f"{V2}/requests.json",
        {
            "service_code": "sampah",
            "description": "x",
            "address_string": "Balai kampung",
            "phone": GOOD_PHONE,
            "media": [upload("a.jpg", b"%PDF-1.4 not an image")],
        },
    )
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("media[0]: ")
