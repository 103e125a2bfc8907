"""The profile service itself guards what staff may change, whatever the caller."""

import pytest
from django_tenants.utils import schema_context

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
