"""The profile service itself guards what staff may change, whatever the caller."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from balai.errors import BalaiError
from services.village.models import VillageProfile
from services.village.services import village_profile_update

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["name", "region_code", "resident_count", "local_term"])
def test_fields_set_by_onboarding_or_tasks_cannot_be_changed_through_the_profile(cast, field):
    with schema_context(cast.village_a.schema_name):
        before = VillageProfile.objects.values().get(id=1)
        with pytest.raises(BalaiError) as refused:
            village_profile_update(changes={field: "0", "vision": "Maju"})
        assert refused.value.errors[0].field == field
        assert VillageProfile.objects.values().get(id=1) == before


def test_an_editable_field_is_saved(cast):
    with schema_context(cast.village_a.schema_name):
        village_profile_update(changes={"vision": "Kampung maju dan mandiri"})
        assert VillageProfile.objects.get(id=1).vision == "Kampung maju dan mandiri"


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (30, 30), (10, 120, 60)).save(out, format="PNG")
    return SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")


def test_a_logo_is_stored_re_encoded_under_the_village_and_replaced(
    cast, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with schema_context(cast.village_a.schema_name):
        first = village_profile_update(changes={}, logo=_png()).logo
        assert first.startswith(f"villages/{cast.village_a.schema_name}/logo/")
        assert (tmp_path / first).read_bytes()[:2] == b"\xff\xd8"  # a fresh JPEG
        with django_capture_on_commit_callbacks(execute=True):
            second = village_profile_update(changes={}, logo=_png()).logo
        assert second != first and not (tmp_path / first).exists()
        with django_capture_on_commit_callbacks(execute=True):
            assert village_profile_update(changes={}, logo_remove=True).logo == ""
        assert not (tmp_path / second).exists()


def test_a_bad_logo_or_a_bad_field_writes_neither_the_file_nor_the_row(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with schema_context(cast.village_a.schema_name):
        before = VillageProfile.objects.values().get(id=1)
        with pytest.raises(BalaiError) as refused:
            village_profile_update(
                changes={"vision": "X"}, logo=SimpleUploadedFile("logo.png", b"GIF89a")
            )
        assert refused.value.errors[0].field == "logo"
        with pytest.raises(BalaiError) as refused:
            village_profile_update(changes={"latitude": Decimal("-4.5")}, logo=_png())
        assert refused.value.errors[0].field == "longitude"
        assert VillageProfile.objects.values().get(id=1) == before
    assert not any(tmp_path.rglob("*.jpg"))
