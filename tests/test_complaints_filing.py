"""Filing a complaint: anyone may, with checks that name the field in both languages,
photos that are re-encoded into the village's own folder, and a limit on anonymous filing."""

import io
import os

import pytest
from django_tenants.utils import schema_context
from PIL import Image

from tests.complaints_support import (
    GOOD_PHONE,
    complaint_make,
    fresh_media_and_limits,
    image_bytes,
    resident_client,
    upload,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def complaints_env(settings, tmp_path):
    yield from fresh_media_and_limits(settings, tmp_path)


URL = "/api/complaints/"


def _stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_anonymous_person_files_with_a_phone_and_follows_by_tracking_code(cast):
    # given
    client = client_for(cast.village_a)
    # when
    response = client.post(
        URL,
        {
            "category": "air-bersih",
            "description": "Air bersih tidak mengalir.",
            "phone": GOOD_PHONE,
            "latitude": "-4.52",
            "longitude": "104.55",
        },
    )
    # then
    assert response.status_code == 201, response.content
    code = response.json()["tracking_code"]
    assert len(code) == 10 and code.isalnum() and not set(code) & set("01OIL")
    tracked = client_for(cast.village_a).get(f"{URL}track/{code}/")
    assert tracked.status_code == 200
    body = tracked.json()
    assert body["status"] == "new"
    assert [h["kind"] for h in body["history"]] == ["filed"]
    assert "phone" not in body and "reporter_phone" not in body


def test_filing_stores_the_phone_in_international_form_and_records_an_event(cast):
    from services.complaints.models import Complaint
    from services.events.models import DomainEvent

    complaint = complaint_make(cast.village_a, phone="+62 812 3456 7890")
    with schema_context(cast.village_a.schema_name):
        assert Complaint.objects.get(pk=complaint.pk).reporter_phone == "+6281234567890"
        event = DomainEvent.objects.get(name="complaint.filed")
        assert event.payload == {"complaint_id": complaint.pk, "category": "air-bersih"}


def test_target_time_comes_from_the_category(cast):
    complaint = complaint_make(cast.village_a, category_code="keamanan")
    assert (complaint.target_at - complaint.created_at).total_seconds() == 48 * 3600


def test_a_logged_in_resident_files_without_a_phone_and_sees_it_as_their_own(cast):
    client = resident_client(cast.village_a, cast.resident_a)
    response = client.post(
        URL,
        {"category": "sampah", "description": "Sampah menumpuk.", "is_public": "false"},
    )
    assert response.status_code == 201, response.content
    code = response.json()["tracking_code"]
    listed = client.get(URL).json()["results"]
    assert code in {row["tracking_code"] for row in listed}
    assert client.get(f"{URL}{code}/").status_code == 200
    # The private complaint is not in anyone else's list.
    public = client_for(cast.village_a).get(URL).json()["results"]
    assert code not in {row["tracking_code"] for row in public}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"description": "x", "phone": GOOD_PHONE}, "category"),
        ({"category": "tidak-ada", "description": "x", "phone": GOOD_PHONE}, "category"),
        ({"category": "sampah", "description": "", "phone": GOOD_PHONE}, "description"),
        ({"category": "sampah", "description": "x"}, "phone"),
        ({"category": "sampah", "description": "x", "phone": "12345"}, "phone"),
        ({"category": "sampah", "description": "x", "phone": "021-555-1234"}, "phone"),
        (
            {
                "category": "sampah",
                "description": "x",
                "phone": GOOD_PHONE,
                "latitude": "48.85",
                "longitude": "2.35",
            },
            "latitude",
        ),
        (
            {
                "category": "sampah",
                "description": "x",
                "phone": GOOD_PHONE,
                "latitude": "-4.5",
                "longitude": "2.35",
            },
            "longitude",
        ),
        (
            {"category": "sampah", "description": "x", "phone": GOOD_PHONE, "latitude": "-4.5"},
            "longitude",
        ),
        (
            {"category": "jalan", "description": "x", "phone": GOOD_PHONE},
            "attributes.tingkat_kerusakan",
        ),
        (
            {
                "category": "jalan",
                "description": "x",
                "phone": GOOD_PHONE,
                "attributes.tingkat_kerusakan": "hancur",
            },
            "attributes.tingkat_kerusakan",
        ),
        ({"category": "sampah", "description": "x", "phone": GOOD_PHONE, "area": "abc"}, "area"),
    ],
)
def test_bad_input_is_refused_naming_the_field_in_both_languages(cast, data, field):
    response = client_for(cast.village_a).post(URL, data)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert field in {e["field"] for e in errors}
    error = next(e for e in errors if e["field"] == field)
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"]


def test_every_problem_is_reported_at_once(cast):
    response = client_for(cast.village_a).post(URL, {"phone": "123"})
    assert _fields(response) >= {"category", "description", "phone"}


def test_a_photo_is_re_encoded_without_exif_or_gps(cast, complaints_env):
    from services.complaints.models import ComplaintPhoto

    original = image_bytes("JPEG", gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the test image has GPS
    response = client_for(cast.village_a).post(
        URL,
        {
            "category": "sampah",
            "description": "Sampah.",
            "phone": GOOD_PHONE,
            "photos": [upload("IMG_0001.jpg", original)],
        },
    )
    assert response.status_code == 201, response.content
    with schema_context(cast.village_a.schema_name):
        photo = ComplaintPhoto.objects.get()
    stored = complaints_env / "villages" / cast.village_a.schema_name / "complaints" / photo.name
    data = stored.read_bytes()
    assert data != original
    reopened = Image.open(io.BytesIO(data))
    assert reopened.format == "JPEG"
    assert not reopened.getexif()
    assert b"KameraUji" not in data


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_stored_as_jpeg(cast, complaints_env, fmt):
    response = client_for(cast.village_a).post(
        URL,
        {
            "category": "sampah",
            "description": "Sampah.",
            "phone": GOOD_PHONE,
            "photos": [upload(f"a.{fmt.lower()}", image_bytes(fmt), f"image/{fmt.lower()}")],
        },
    )
    assert response.status_code == 201, response.content
    (stored,) = _stored_files(complaints_env)
    assert stored.suffix == ".jpg"
    assert Image.open(stored).format == "JPEG"


def test_large_images_are_scaled_down(cast, complaints_env):
    response = client_for(cast.village_a).post(
        URL,
        {
            "category": "sampah",
            "description": "Sampah.",
            "phone": GOOD_PHONE,
            "photos": [upload("big.png", image_bytes("PNG", size=(4000, 1000)), "image/png")],
        },
    )
    assert response.status_code == 201
    (stored,) = _stored_files(complaints_env)
    assert max(Image.open(stored).size) == 1600


@pytest.mark.parametrize(
    ("photos", "field", "code"),
    [
        (
            [upload("surat.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF")],
            "photos[0]",
            "invalid_image",
        ),
        (
            [upload(), upload("x.jpg", b"GIF89a" + b"\0" * 64, "image/gif")],
            "photos[1]",
            "invalid_image",
        ),
        ([upload() for _ in range(4)], "photos", "too_many"),
        ([upload("big.jpg", b"\xff\xd8" + os.urandom(5 * 1024 * 1024))], "photos[0]", "too_large"),
    ],
)
def test_bad_photos_are_refused_and_nothing_is_left_behind(
    cast, complaints_env, photos, field, code
):
    from services.complaints.models import Complaint

    response = client_for(cast.village_a).post(
        URL,
        {"category": "sampah", "description": "Sampah.", "phone": GOOD_PHONE, "photos": photos},
    )
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors[field]["code"] == code
    assert _stored_files(complaints_env) == []
    with schema_context(cast.village_a.schema_name):
        assert not Complaint.objects.exists()


def test_a_failure_after_the_photos_are_written_removes_them(cast, complaints_env):
    """The database refuses the history row written after the photos (a trigger made for
    this test, rolled back with it): the complaint rolls back and no file is left behind."""
    from django.db import DatabaseError, connection

    schema = cast.village_a.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE FUNCTION {schema}.refuse_for_test() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
            CREATE TRIGGER refuse_for_test BEFORE INSERT ON {schema}.complaints_complaintupdate
            FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_for_test();
            """
        )
    with pytest.raises(DatabaseError):
        complaint_make(cast.village_a, photos=[upload(), upload()])
    assert _stored_files(complaints_env) == []


def test_the_upload_name_never_reaches_the_file_system(cast, complaints_env):
    evil = f"../../{cast.village_b.schema_name}/complaints/evil.jpg"
    response = client_for(cast.village_a).post(
        URL,
        {
            "category": "sampah",
            "description": "Sampah.",
            "phone": GOOD_PHONE,
            "photos": [upload(evil)],
        },
    )
    assert response.status_code == 201
    (stored,) = _stored_files(complaints_env)
    assert stored.parent == complaints_env / "villages" / cast.village_a.schema_name / "complaints"
    assert "evil" not in stored.name
    assert not (complaints_env / "villages" / cast.village_b.schema_name).exists()


def test_a_photo_url_of_village_a_finds_nothing_on_village_b(cast):
    response = client_for(cast.village_a).post(
        URL,
        {"category": "sampah", "description": "Sampah.", "phone": GOOD_PHONE, "photos": [upload()]},
    )
    (url,) = response.json()["photos"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert client_for(cast.village_a).get("/" + path).status_code == 200
    assert client_for(cast.village_b).get("/" + path).status_code == 404
    assert (
        client_for(cast.village_a).get("/api/complaints/media/..%2F..%2Fsecret.jpg").status_code
        == 404
    )


def test_photos_of_a_private_complaint_need_the_tracking_code(cast):
    response = client_for(cast.village_a).post(
        URL,
        {
            "category": "sampah",
            "description": "Sampah.",
            "phone": GOOD_PHONE,
            "is_public": "false",
            "photos": [upload()],
        },
    )
    code = response.json()["tracking_code"]
    (url,) = response.json()["photos"]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    assert path.endswith(f"?code={code}")
    bare = path.split("?")[0]
    assert client_for(cast.village_a).get(bare).status_code == 404
    assert client_for(cast.village_a).get(path).status_code == 200
    assert client_for(cast.village_a, user=cast.alice).get(bare).status_code == 200


def test_anonymous_filing_is_limited_per_phone_with_a_clear_429(cast, settings):
    settings.BALAI_COMPLAINT_ANON_LIMIT = 2
    data = {"category": "sampah", "description": "Sampah.", "phone": GOOD_PHONE}
    for number in range(2):
        client = client_for(cast.village_a)
        response = client.post(URL, data, REMOTE_ADDR=f"10.1.0.{number}")
        assert response.status_code == 201
    response = client_for(cast.village_a).post(URL, data, REMOTE_ADDR="10.1.0.9")
    assert response.status_code == 429
    (error,) = response.json()["errors"]
    assert error["field"] == "rate_limit"
    assert "2" in error["message"] and "nomor HP" in error["message"]
    assert "2" in error["message_en"] and "phone number" in error["message_en"]


def test_anonymous_filing_is_limited_per_ip_address(cast, settings):
    settings.BALAI_COMPLAINT_ANON_LIMIT = 2
    for number in range(2):
        response = client_for(cast.village_a).post(
            URL, {"category": "sampah", "description": "x", "phone": f"08123456780{number}"}
        )
        assert response.status_code == 201
    response = client_for(cast.village_b).post(
        URL, {"category": "sampah", "description": "x", "phone": "081234567809"}
    )
    assert response.status_code == 429
    assert "IP" in response.json()["errors"][0]["message_en"]


def test_residents_are_not_rate_limited_as_anonymous(cast, settings):
    settings.BALAI_COMPLAINT_ANON_LIMIT = 1
    client = resident_client(cast.village_a, cast.resident_a)
    for _ in range(3):
        response = client.post(URL, {"category": "sampah", "description": "x"})
        assert response.status_code == 201


def test_categories_are_seeded_with_their_targets(cast):
    response = client_for(cast.village_b).get("/api/complaints/categories/")
    assert response.status_code == 200
    by_code = {c["code"]: c for c in response.json()}
    assert by_code["keamanan"]["target_hours"] == 48
    assert by_code["jalan"]["attributes"][0]["code"] == "tingkat_kerusakan"


def test_an_unknown_tracking_code_is_not_found(cast):
    response = client_for(cast.village_a).get(f"{URL}track/ABCDEFGHJK/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "tracking_code"


def test_a_tracking_code_of_village_a_is_unknown_on_village_b(cast):
    complaint = complaint_make(cast.village_a)
    assert (
        client_for(cast.village_b).get(f"{URL}track/{complaint.tracking_code}/").status_code == 404
    )


def test_a_dusun_or_rt_can_stand_in_for_coordinates(cast):
    from services.village.models import Area, AreaLevel

    with schema_context(cast.village_a.schema_name):
        dusun = Area.objects.create(level=AreaLevel.DUSUN, name="Dusun Uji Pengaduan")
    response = client_for(cast.village_a).post(
        URL,
        {"category": "sampah", "description": "x", "phone": GOOD_PHONE, "area": dusun.pk},
    )
    assert response.status_code == 201, response.content
    tracked = client_for(cast.village_a).get(response.json()["track_url"].split("localhost")[1])
    assert tracked.json()["area"] == "Dusun Dusun Uji Pengaduan"
    assert tracked.json()["latitude"] is None


def test_a_script_appended_to_a_jpeg_is_not_stored(cast, complaints_env):
    payload = b"<?php system($_GET['c']); ?><script>alert(1)</script>"
    response = client_for(cast.village_a).post(
        URL,
        {
            "category": "sampah",
            "description": "x",
            "phone": GOOD_PHONE,
            "photos": [upload("shell.php.jpg", image_bytes("JPEG") + payload)],
        },
    )
    assert response.status_code == 201
    (stored,) = _stored_files(complaints_env)
    data = stored.read_bytes()
    assert b"<?php" not in data and b"<script>" not in data


def test_a_resident_token_of_village_a_is_refused_on_village_b(cast):
    from django.test import Client

    token_client = resident_client(cast.village_a, cast.resident_a)
    header = token_client.defaults["HTTP_AUTHORIZATION"]
    other = Client(HTTP_HOST=client_for(cast.village_b).defaults["HTTP_HOST"])
    response = other.post(
        URL, {"category": "sampah", "description": "x"}, HTTP_AUTHORIZATION=header
    )
    assert response.status_code == 401


def test_behind_a_proxy_the_limit_follows_the_proxys_client_header(cast, settings):
    settings.BALAI_COMPLAINT_ANON_LIMIT = 1
    settings.BALAI_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for number in range(2):
        response = client_for(cast.village_a).post(
            URL,
            {"category": "sampah", "description": "x", "phone": f"08123456781{number}"},
            HTTP_X_REAL_IP=f"203.0.113.{number}",  # two people behind the same proxy
        )
        assert response.status_code == 201
    again = client_for(cast.village_a).post(
        URL,
        {"category": "sampah", "description": "x", "phone": "081234567819"},
        HTTP_X_REAL_IP="203.0.113.0",
    )
    assert again.status_code == 429
