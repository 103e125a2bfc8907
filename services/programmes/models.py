from django.db import models
from django.db.models import Q

from balai.learning.models import (
    MaterialBase,
    ProgrammeBase,
    RegistrationBase,
    RegistrationStatus,
)
from services.residents.models import Resident


class Programme(ProgrammeBase):
    """A programme organised by the village for its residents."""

    class Meta(ProgrammeBase.Meta):
        pass


class Registration(RegistrationBase):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="registrations")
    # PROTECT: attendance is a record of the village; a resident who leaves stays in it.
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="programme_registrations"
    )

    class Meta(RegistrationBase.Meta):
        constraints = [
            # Behind the service's own check: a resident holds one live place per programme.
            models.UniqueConstraint(
                fields=["programme", "resident"],
                # Not status__in: an IN list does not survive the pg_dump replay of village
                # schemas byte for byte (tenants.provisioning compares index definitions).
                condition=~Q(status=RegistrationStatus.CANCELLED),
                name="registration_active_unique",
            ),
        ]


class VillageMaterial(MaterialBase):
    """A guide or video of this village only, managed by its staff."""

    created_by_id = models.BigIntegerField(null=True, blank=True)  # accounts.User (public)

    class Meta(MaterialBase.Meta):
        pass
