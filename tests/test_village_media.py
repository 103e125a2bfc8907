"""Public village images are served only from the requesting village's own folder."""

from pathlib import Path

import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db
NAME = "AbCdEfGhIjKlMnOpQrStUv.jpg"


@pytest.fixture
def stored_images(cast, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    for village in (cast.village_a, cast.village_b):
        for folder in ("news", "complaints"):
            path = Path(tmp_path) / "villages" / village.schema_name / folder / NAME
            path.parent.mkdir(parents=True)
            path.write_bytes(b"\xff\xd8\xff" + village.schema_name.encode())
    (Path(tmp_path) / "secret.txt").write_text("not for the web")
    return tmp_path


def _url(village, folder="news", name=NAME):
    return f"/media/villages/{village.schema_name}/{folder}/{name}"


def test_a_village_serves_its_own_public_image(cast, stored_images):
    response = client_for(cast.village_a).get(_url(cast.village_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert cast.village_a.schema_name.encode() in b"".join(response.streaming_content)


def test_another_villages_image_is_not_found_on_this_host(cast, stored_images):
    assert client_for(cast.village_a).get(_url(cast.village_b)).status_code == 404


def test_private_complaint_photos_are_not_served_here(cast, stored_images):
    response = client_for(cast.village_a).get(_url(cast.village_a, folder="complaints"))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["..%2F..%2Fsecret.txt", "secret.txt", "x.jpg", "../x.jpg"])
def test_names_our_uploads_never_make_are_refused(cast, stored_images, name):
    response = client_for(cast.village_a).get(
        f"/media/villages/{cast.village_a.schema_name}/news/{name}"
    )
    assert response.status_code == 404


def test_the_public_host_serves_no_village_media(cast, stored_images, public_client):
    assert public_client.get(_url(cast.village_a)).status_code == 404
