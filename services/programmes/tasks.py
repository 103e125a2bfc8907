"""Digital-adoption figures of one village, computed inside its schema (a VillageTask) and
written to the public summary table (balai.learning.services.adoption_write). The nightly
fan-out over villages is the PlatformTask balai.learning.adoption_refresh_all."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.db.utils import InterfaceError, OperationalError

from balai.celery_app import VillageTask, app
from balai.learning.models import ProgrammeStatus
from balai.learning.services import AdoptionFigures, adoption_write
from services.letters.models import Channel, Letter
from services.programmes.models import Programme, Registration
from services.residents.models import Family, ResidentAccount
from services.village.models import VillageProfile
from tenants.models import Village

TRANSIENT = (OperationalError, InterfaceError)


def adoption_figures() -> AdoptionFigures:
    """The figures of the village whose schema is active (four aggregate queries)."""
    families = Family.objects.aggregate(
        total=Count("id"),
        with_account=Count(
            "id",
            filter=Q(Exists(ResidentAccount.objects.filter(resident__family_id=OuterRef("pk")))),
        ),
    )
    letters = Letter.objects.aggregate(
        total=Count("id"), online=Count("id", filter=Q(channel=Channel.ONLINE))
    )
    held = Programme.objects.filter(status=ProgrammeStatus.DONE).count()
    attended = Registration.objects.filter(attended_at__isnull=False).count()
    return AdoptionFigures(
        families_total=families["total"],
        families_with_account=families["with_account"],
        letters_total=letters["total"],
        letters_online=letters["online"],
        programmes_held=held,
        village_attendances=attended,
    )


@app.task(
    base=VillageTask,
    name="balai.programmes.adoption_refresh",
    queue="default",
    acks_late=True,
    time_limit=300,
    soft_time_limit=270,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def adoption_refresh() -> None:
    village = Village.objects.get(schema_name=connection.schema_name)
    profile = VillageProfile.objects.filter(id=1).first()
    adoption_write(
        village=village,
        village_name=profile.name if profile else village.name,
        figures=adoption_figures(),
    )
