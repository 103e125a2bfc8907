"""Onboarding a village: the service, the command, the platform API and bulk CSV.

Onboarding is idempotent (the same village twice is the same village) and atomic (a
failure midway leaves no schema, no village row, and gives a pooled schema back).
"""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole, User, VillageMembership
from balai.errors import BalaiError
from balai.onboarding.models import BulkOnboardingJob, BulkOnboardingStatus, PlatformAuditEvent
from balai.onboarding.services import village_onboard
from balai.onboarding.tasks import onboard_villages_bulk
from services.village.models import VillageProfile
from tenants.models import Domain, PooledSchema, Village
from tenants.provisioning import (
    schema_create_from_template,
    schema_drop,
    schema_exists,
    template_get_or_build,
)
from tenants.routing import village_host
from tests.conftest import PASSWORD, client_for

VILLAGES_URL = "/api/platform/villages/"
BULK_URL = "/api/platform/villages/bulk/"

# Villages of Kecamatan Negara Batin not in the standard cast.
PURWA_NEGARA = "18.08.11.2003"
SETIA_NEGARA = "18.08.11.2004"
SRI_MULYO = "18.08.11.2005"
SRI_MENANTI = "18.08.11.2006"
KARTA_JAYA = "18.08.11.2007"
GISTING_JAYA = "18.08.11.2008"
MARGA_JAYA = "18.08.11.2009"


def _village_rows(region_code: str) -> tuple[bool, bool, bool]:
    """(schema exists, village row exists, domain row exists) for a region code."""
    schema = "desa_" + region_code.replace(".", "")
    return (
        schema_exists(schema),
        Village.objects.filter(region_id=region_code).exists(),
        Domain.objects.filter(tenant__region_id=region_code).exists(),
    )


def _pooled_schema_make() -> str:
    """A ready schema in the pool (inside the caller's transaction)."""
    template = template_get_or_build()
    name = f"pool_{secrets.token_hex(6)}"
    schema_create_from_template(name, template)
    PooledSchema.objects.create(schema_name=name, fingerprint=template.fingerprint)
    return name


def _errors_by_field(response) -> dict[str, dict]:
    return {error["field"]: error for error in response.json()["errors"]}


@pytest.fixture
def pat_client(public_client, cast):
    public_client.force_login(cast.pat)
    return public_client


# --- the service ------------------------------------------------------------------------


@pytest.mark.django_db
def test_onboarding_makes_schema_village_domain_profile_and_first_admin(cast):
    # when
    result = village_onboard(
        region_code=PURWA_NEGARA,
        slug="purwanegara",
        admin_username="kades_purwanegara",
        admin_password=PASSWORD,
        local_term="kampung",
        dusun_names=["Dusun Satu", "Dusun Dua"],
        actor=cast.pat,
    )

    # then
    village = result.village
    assert result.created is True
    assert result.schema_method in {"pool", "template"}
    assert village.schema_name == "desa_1808112003"
    assert (village.name, village.local_term) == ("Purwa Negara", "kampung")
    assert (village.kecamatan_code, village.kabupaten_code) == ("18.08.11", "18.08")
    assert _village_rows(PURWA_NEGARA) == (True, True, True)
    assert result.host == village_host("purwanegara")
    assert Domain.objects.get(tenant=village).is_primary
    membership = VillageMembership.objects.get(village=village)
    assert membership.user.username == "kades_purwanegara"
    assert membership.role == StaffRole.KEPALA_DESA
    assert membership.user.check_password(PASSWORD)
    with schema_context(village.schema_name):
        profile = VillageProfile.objects.get()
        assert (profile.name, profile.head_title) == ("Purwa Negara", "Kepala Kampung")
    audit = PlatformAuditEvent.objects.get(village_code=PURWA_NEGARA)
    assert (audit.action, audit.actor) == ("village_onboarded", cast.pat)
    # and the new host serves the new schema
    response = client_for(village).get("/healthz")
    assert response.json()["schema"] == "desa_1808112003"


@pytest.mark.django_db
def test_a_generated_admin_password_is_returned_once(cast):
    result = village_onboard(region_code=PURWA_NEGARA, slug="purwanegara", admin_username="kd")

    assert result.admin_password
    assert result.admin.check_password(result.admin_password)


@pytest.mark.django_db
def test_onboarding_the_same_village_twice_returns_the_existing_one(cast):
    # given
    first = village_onboard(region_code=PURWA_NEGARA, slug="purwanegara", admin_username="kd")
    schemas_before = _schema_count()

    # when
    again = village_onboard(region_code=PURWA_NEGARA, slug="purwanegara", admin_username="kd")

    # then
    assert again.created is False
    assert again.village.pk == first.village.pk
    assert again.admin_password is None
    assert _schema_count() == schemas_before
    assert Village.objects.filter(region_id=PURWA_NEGARA).count() == 1
    assert Domain.objects.filter(tenant=first.village).count() == 1


@pytest.mark.django_db
def test_repeating_an_onboarding_with_another_admin_grants_that_person_nothing(cast):
    # given
    first = village_onboard(region_code=PURWA_NEGARA, slug="purwanegara", admin_username="kd")

    # when
    again = village_onboard(
        region_code=PURWA_NEGARA, slug="purwanegara", admin_username="orang-lain"
    )

    # then
    assert again.created is False
    assert list(first.village.memberships.values_list("user__username", flat=True)) == ["kd"]
    assert not User.objects.filter(username="orang-lain").exists()


def _schema_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'desa\\_%%'")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_failure_midway_leaves_no_schema_no_village_and_gives_the_pooled_schema_back(cast):
    # given: one ready schema in the pool
    pooled = _pooled_schema_make()
    pool_before = set(PooledSchema.objects.values_list("schema_name", flat=True))
    villages_before = Village.objects.count()

    # when: the admin step, after the schema and the village row were made, fails
    with pytest.raises(BalaiError) as caught:
        village_onboard(region_code=SRI_MENANTI, slug="srimenanti", admin_username="u" * 151)

    # then
    assert caught.value.errors[0].field == "admin_username"
    assert _village_rows(SRI_MENANTI) == (False, False, False)
    assert Village.objects.count() == villages_before
    assert not User.objects.filter(username="u" * 151).exists()
    assert not PlatformAuditEvent.objects.filter(village_code=SRI_MENANTI).exists()
    assert set(PooledSchema.objects.values_list("schema_name", flat=True)) == pool_before
    assert schema_exists(pooled)

    # and the pool still works: the next onboarding renames a pooled schema
    result = village_onboard(region_code=SRI_MENANTI, slug="srimenanti", admin_username="kd")
    assert result.schema_method == "pool"
    assert PooledSchema.objects.count() == len(pool_before) - 1


@pytest.mark.django_db
def test_without_a_pooled_schema_the_template_is_replayed(cast):
    # Take every pooled schema out of reach of this onboarding (rolled back after the test).
    for row in PooledSchema.objects.all():
        schema_drop(row.schema_name)
        row.delete()

    result = village_onboard(region_code=PURWA_NEGARA, slug="purwanegara", admin_username="kd")

    assert result.schema_method == "template"
    assert schema_exists("desa_1808112003")


# --- bad input: the service and the API name the field, in Indonesian and English --------

RC = "region_code"
# case, fields changed from a good payload, status, field named, error code
BAD_INPUT_TABLE = [
    ("unknown-region", {RC: "18.08.11.2999"}, 400, RC, "unknown_region"),
    ("malformed-code", {RC: "18.8.11.2003"}, 400, RC, "invalid_format"),
    ("kecamatan-code", {RC: "18.08.11"}, 400, RC, "not_a_village"),
    ("kabupaten-code", {RC: "18.08"}, 400, RC, "not_a_village"),
    ("region-taken", {RC: "18.08.11.2001", "slug": "lain"}, 409, RC, "region_taken"),
    ("duplicate-slug", {"slug": "negarabatin"}, 409, "slug", "slug_taken"),
    ("uppercase-slug", {"slug": "PurwaNegara"}, 400, "slug", "invalid_slug"),
    ("underscore-slug", {"slug": "purwa_negara"}, 400, "slug", "invalid_slug"),
    ("leading-hyphen", {"slug": "-purwanegara"}, 400, "slug", "invalid_slug"),
    ("trailing-hyphen", {"slug": "purwanegara-"}, 400, "slug", "invalid_slug"),
    ("slug-too-long", {"slug": "a" * 64}, 400, "slug", "invalid_slug"),
    ("dot-in-slug", {"slug": "purwa.negara"}, 400, "slug", "invalid_slug"),
    ("reserved-slug", {"slug": "admin"}, 400, "slug", "reserved_slug"),
    ("reserved-www", {"slug": "www"}, 400, "slug", "reserved_slug"),
    ("unknown-local-term", {"local_term": "dusun"}, 400, "local_term", "invalid_local_term"),
]  # fmt: skip
BAD_INPUT = [pytest.param(*row[1:], id=row[0]) for row in BAD_INPUT_TABLE]


def _onboard_payload(**overrides) -> dict:
    return {
        "region_code": PURWA_NEGARA,
        "slug": "purwanegara",
        "name": "Purwa Negara",
        "admin_username": "kades_pn",
        "admin_password": PASSWORD,
        **overrides,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "status", "field", "code"), BAD_INPUT)
def test_bad_input_is_refused_by_the_service_naming_the_field(cast, overrides, status, field, code):
    schemas_before = _schema_count()

    with pytest.raises(BalaiError) as caught:
        village_onboard(**_onboard_payload(**overrides))

    error = caught.value
    assert error.status == status
    assert [(e.field, e.code) for e in error.errors] == [(field, code)]
    assert error.errors[0].message and error.errors[0].message_en
    assert error.errors[0].message != error.errors[0].message_en  # two languages
    assert _schema_count() == schemas_before


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "status", "field", "code"), BAD_INPUT)
def test_bad_input_is_refused_by_the_api_naming_the_field_in_both_languages(
    pat_client, overrides, status, field, code
):
    payload = _onboard_payload(**overrides)
    villages_before = Village.objects.count()
    schemas_before = _schema_count()

    response = pat_client.post(VILLAGES_URL, payload, content_type="application/json")

    assert response.status_code == status
    error = _errors_by_field(response)[field]
    # A slug over 63 characters already stops at the serializer's max_length.
    assert error["code"] == ("max_length" if overrides.get("slug") == "a" * 64 else code)
    assert error["message"] and error["message_en"]
    assert error["message"] != error["message_en"]
    assert Village.objects.count() == villages_before
    assert _schema_count() == schemas_before


@pytest.mark.django_db
def test_service_errors_read_as_indonesian_and_english(pat_client):
    response = pat_client.post(
        VILLAGES_URL, _onboard_payload(region_code="18.08.11"), content_type="application/json"
    )

    error = _errors_by_field(response)["region_code"]
    assert error["message"] == "Kode wilayah 18.08.11 adalah kecamatan, bukan desa/kelurahan."
    assert error["message_en"] == "Region code 18.08.11 is a kecamatan, not a desa/kelurahan."


@pytest.mark.django_db
def test_missing_admin_username_is_refused_naming_the_field(pat_client):
    payload = _onboard_payload()
    del payload["admin_username"]

    response = pat_client.post(VILLAGES_URL, payload, content_type="application/json")

    assert response.status_code == 400
    error = _errors_by_field(response)["admin_username"]
    assert error["code"] == "required"
    assert error["message"] == "Bidang ini harus diisi."
    assert error["message_en"] == "This field is required."
    assert not Village.objects.filter(region_id=PURWA_NEGARA).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
def test_serializer_errors_come_in_both_languages_whatever_the_request_language(
    pat_client, language
):
    response = pat_client.post(
        VILLAGES_URL,
        _onboard_payload(slug="a" * 64),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400
    error = _errors_by_field(response)["slug"]
    assert error["code"] == "max_length"
    assert error["message"] == "Isi bidang ini tidak boleh melebihi 63 karakter."
    assert error["message_en"] == "Ensure this field has no more than 63 characters."


@pytest.mark.django_db
def test_blank_admin_username_is_refused_by_the_service(cast):
    with pytest.raises(BalaiError) as caught:
        village_onboard(region_code=PURWA_NEGARA, slug="purwanegara", admin_username="  ")

    assert [(e.field, e.code) for e in caught.value.errors] == [("admin_username", "required")]
    assert _village_rows(PURWA_NEGARA) == (False, False, False)


@pytest.mark.django_db
def test_several_bad_fields_are_reported_together(cast):
    with pytest.raises(BalaiError) as caught:
        village_onboard(
            region_code="18.08.11.2999", slug="Bad_Slug", local_term="dusun", admin_username="x"
        )

    assert {e.field for e in caught.value.errors} == {"region_code", "slug", "local_term"}


# --- the command -----------------------------------------------------------------------


@pytest.mark.django_db
def test_onboard_village_command_onboards_and_is_idempotent(cast):
    out = io.StringIO()
    call_command(
        "onboard_village", SETIA_NEGARA, "Setia Negara", "setianegara", "--admin", "kades_sn",
        "--local-term", "kampung", stdout=out,
    )  # fmt: skip
    again = io.StringIO()
    call_command(
        "onboard_village", SETIA_NEGARA, "Setia Negara", "setianegara", "--admin", "kades_sn",
        stdout=again,
    )  # fmt: skip

    assert "Setia Negara (18.08.11.2004) onboarded: schema desa_1808112004" in out.getvalue()
    assert "admin kades_sn password: " in out.getvalue()  # generated, printed once
    assert "already onboarded" in again.getvalue()
    assert "password" not in again.getvalue()
    assert Village.objects.get(region_id=SETIA_NEGARA).local_term == "kampung"


@pytest.mark.django_db
def test_onboard_village_command_names_the_bad_field(cast):
    with pytest.raises(CommandError, match="slug: The slug admin is reserved"):
        call_command("onboard_village", SETIA_NEGARA, "Setia Negara", "admin", "--admin", "kd")
    assert _village_rows(SETIA_NEGARA) == (False, False, False)


# --- the platform API ------------------------------------------------------------------


@pytest.mark.django_db
def test_platform_admin_onboards_through_the_api_and_again_gets_the_same_village(pat_client):
    # when
    created = pat_client.post(VILLAGES_URL, _onboard_payload(), content_type="application/json")
    schemas_after_first = _schema_count()
    again = pat_client.post(VILLAGES_URL, _onboard_payload(), content_type="application/json")

    # then
    assert created.status_code == 201
    body = created.json()
    assert body["created"] is True
    assert body["village"]["schema_name"] == "desa_1808112003"
    assert body["village"]["host"] == village_host("purwanegara")
    assert body["admin_username"] == "kades_pn"
    assert "admin_password" not in body  # the caller chose it: nothing to show
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["village"]["slug"] == "purwanegara"
    assert _schema_count() == schemas_after_first


@pytest.mark.django_db
@pytest.mark.parametrize(
    "actor", [None, "alice", "bob", "carol", "dave", "erin"], ids=lambda a: a or "anonymous"
)
def test_only_platform_admins_may_onboard(cast, public_client, actor):
    if actor is not None:
        public_client.force_login(getattr(cast, actor))

    response = public_client.post(VILLAGES_URL, _onboard_payload(), content_type="application/json")

    assert response.status_code in {401, 403}
    assert not Village.objects.filter(region_id=PURWA_NEGARA).exists()


@pytest.mark.django_db
def test_the_platform_api_is_not_served_on_a_village_host(cast):
    client = client_for(cast.village_a, user=cast.pat)

    response = client.post(VILLAGES_URL, _onboard_payload(), content_type="application/json")

    assert response.status_code == 404
    assert not Village.objects.filter(region_id=PURWA_NEGARA).exists()


# --- bulk CSV --------------------------------------------------------------------------

BULK_CSV = (
    "region_code,slug,name,local_term,admin_username,admin_email,admin_password\n"
    f"{KARTA_JAYA},kartajaya,Karta Jaya,kampung,kades_kj,kj@example.org,\n"
    "18.08.11.2001,negarabatin,Negara Batin,kampung,alice,,\n"
    f"{GISTING_JAYA},gisting_jaya,Gisting Jaya,desa,kades_gj,,\n"
    "18.08.11,kecamatan,Negara Batin,desa,kades_x,,\n"
    f"{MARGA_JAYA},Marga_Jaya,,dusun,kades_mj,,\n"
    f"{SRI_MULYO},purwaagung,Sri Mulyo,desa,kades_sm,,\n"
    f"{MARGA_JAYA},margajaya,Marga Jaya,,,,\n"
)


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("desa.csv", text.encode(), content_type="text/csv")


@pytest.mark.django_db
def test_bulk_csv_is_queued_then_onboarded_row_by_row(
    pat_client, django_capture_on_commit_callbacks
):
    # given: a CSV upload answered at once with a queued job
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = pat_client.post(BULK_URL, {"file": _upload(BULK_CSV)})
    assert response.status_code == 202
    job = response.json()
    assert (job["status"], job["total"], job["done"]) == ("queued", 7, 0)
    assert len(queued) == 1  # the task is sent after commit, never inside the transaction

    # when: the worker runs the task
    outcome = onboard_villages_bulk.apply(args=[job["id"]])

    # then
    assert outcome.successful(), outcome.traceback
    status = pat_client.get(f"/api/platform/onboarding-jobs/{job['id']}/").json()
    assert (status["status"], status["done"]) == ("finished", 7)
    results = {row["row"]: row for row in status["results"]}
    assert results[2]["status"] == "created"
    assert results[2]["host"] == village_host("kartajaya")
    assert results[3]["status"] == "exists"
    assert [(e["field"], e["code"]) for e in results[4]["errors"]] == [("slug", "invalid_slug")]
    assert [e["field"] for e in results[5]["errors"]] == ["region_code"]
    assert {e["field"] for e in results[6]["errors"]} == {"slug", "local_term"}
    assert [(e["field"], e["code"]) for e in results[7]["errors"]] == [("slug", "slug_taken")]
    assert [(e["field"], e["code"]) for e in results[8]["errors"]] == [
        ("admin_username", "required")
    ]
    assert all(results[row]["status"] == "error" for row in (4, 5, 6, 7, 8))
    assert all(e["message"] and e["message_en"] for r in status["results"] for e in r["errors"])
    assert _village_rows(KARTA_JAYA) == (True, True, True)
    for failed in (GISTING_JAYA, MARGA_JAYA, SRI_MULYO):
        assert _village_rows(failed) == (False, False, False)


@pytest.mark.django_db
def test_a_redelivered_bulk_job_reports_existing_rows_and_makes_nothing_twice(pat_client, cast):
    job = BulkOnboardingJob.objects.create(
        created_by=cast.pat,
        csv_text=f"region_code,slug,admin_username\n{KARTA_JAYA},kartajaya,kades_kj\n",
        total=1,
    )
    onboard_villages_bulk.apply(args=[job.pk])
    # A worker died after the rows were made: the broker delivers the job again.
    BulkOnboardingJob.objects.filter(pk=job.pk).update(status=BulkOnboardingStatus.RUNNING)

    onboard_villages_bulk.apply(args=[job.pk])

    job.refresh_from_db()
    assert [row["status"] for row in job.results] == ["exists"]
    assert Village.objects.filter(region_id=KARTA_JAYA).count() == 1


@pytest.mark.django_db
def test_a_finished_bulk_job_is_not_run_again(pat_client, cast):
    job = BulkOnboardingJob.objects.create(
        created_by=cast.pat,
        csv_text=f"region_code,slug,admin_username\n{KARTA_JAYA},kartajaya,kades_kj\n",
        total=1,
    )
    onboard_villages_bulk.apply(args=[job.pk])
    first_results = BulkOnboardingJob.objects.get(pk=job.pk).results

    onboard_villages_bulk.apply(args=[job.pk])

    assert BulkOnboardingJob.objects.get(pk=job.pk).results == first_results
    assert first_results[0]["status"] == "created"


@pytest.mark.django_db
def test_bulk_csv_without_a_required_column_is_refused_at_upload(pat_client):
    response = pat_client.post(BULK_URL, {"file": _upload("region_code,slug\n18.08.11.2007,kj\n")})

    assert response.status_code == 400
    error = _errors_by_field(response)["file"]
    assert error["code"] == "missing_columns"
    assert "admin_username" in error["message"] and "admin_username" in error["message_en"]
    assert not BulkOnboardingJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("actor", [None, "alice", "carol", "erin"], ids=lambda a: a or "anonymous")
def test_only_platform_admins_may_upload_a_bulk_csv(cast, public_client, actor):
    if actor is not None:
        public_client.force_login(getattr(cast, actor))

    response = public_client.post(BULK_URL, {"file": _upload(BULK_CSV)})

    assert response.status_code in {401, 403}
    assert not BulkOnboardingJob.objects.exists()


# --- committed: real transactions, several connections -----------------------------------


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Database access outside the test transaction; removes the villages it is told of."""
    from django.conf import settings

    made: dict[str, list] = {"regions": [], "pooled": [], "users": []}
    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] != settings.DATABASES["default"]["TEST"]["NAME"]:
            pytest.fail("the test database is not set up: run this module with a db test")
        yield made
        connection.set_schema_to_public()
        for village in Village.objects.filter(region_id__in=made["regions"]):
            schema_drop(village.schema_name)
            village.delete()  # memberships and domains go with it
        for region_code in made["regions"]:
            schema_drop("desa_" + region_code.replace(".", ""))
        PlatformAuditEvent.objects.filter(village_code__in=made["regions"]).delete()
        for row in PooledSchema.objects.filter(schema_name__in=made["pooled"]):
            schema_drop(row.schema_name)
            row.delete()
        User.objects.filter(username__in=made["users"]).delete()


def _wait_for_waiting_backends(count: int) -> None:
    """Block until ``count`` other connections wait on a lock (so both threads overlap)."""
    for _ in range(600):
        with connection.cursor() as cursor:
            # pg_locks, not pg_stat_activity: the latter is a snapshot frozen for the
            # length of this (lock-holding) transaction.
            cursor.execute(
                "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.05)
    raise AssertionError(f"{count} onboardings never waited on the pool at the same time")


def _onboard_in_threads(calls: list[dict]) -> list[object]:
    """Run each onboarding in its own thread and connection, all held at the pool's lock.

    The test holds the pool table locked until every onboarding is blocked inside its
    transaction, then lets them all go at once.
    """
    results: list[object] = [None] * len(calls)

    def run(index: int, kwargs: dict) -> None:
        try:
            results[index] = village_onboard(**kwargs)
        except Exception as error:  # noqa: BLE001 - reported to the test below
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, kw)) for i, kw in enumerate(calls)]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE tenants_pooledschema IN EXCLUSIVE MODE")
        for thread in threads:
            thread.start()
        try:
            _wait_for_waiting_backends(len(calls))
        except AssertionError:
            for thread in threads:
                thread.join(timeout=120)
            raise AssertionError(f"threads ended early: {results!r}") from None
    for thread in threads:
        thread.join(timeout=120)
    return results


def _pool_at_least(count: int, made: dict) -> set[str]:
    template = template_get_or_build()
    while PooledSchema.objects.filter(fingerprint=template.fingerprint).count() < count:
        with transaction.atomic():
            made["pooled"].append(_pooled_schema_make())
    return set(
        PooledSchema.objects.filter(fingerprint=template.fingerprint).values_list(
            "schema_name", flat=True
        )
    )


def test_two_onboardings_at_once_take_different_pooled_schemas(committed):
    # given: two ready schemas
    committed["regions"] += [SRI_MULYO, SRI_MENANTI]
    committed["users"] += ["kades_sm", "kades_smn"]
    pool_before = _pool_at_least(2, committed)

    # when: two villages are onboarded at the same moment
    results = _onboard_in_threads(
        [
            {"region_code": SRI_MULYO, "slug": "srimulyo", "admin_username": "kades_sm"},
            {"region_code": SRI_MENANTI, "slug": "srimenanti", "admin_username": "kades_smn"},
        ]
    )

    # then: both succeed, each by renaming its own pooled schema
    assert [type(r).__name__ for r in results] == ["OnboardingResult", "OnboardingResult"]
    assert [r.schema_method for r in results] == ["pool", "pool"]
    pool_after = set(PooledSchema.objects.values_list("schema_name", flat=True))
    taken = pool_before - pool_after
    assert len(taken) == 2
    assert not any(schema_exists(name) for name in taken)
    assert _village_rows(SRI_MULYO) == (True, True, True)
    assert _village_rows(SRI_MENANTI) == (True, True, True)


def test_the_same_village_onboarded_twice_at_once_is_made_once(committed):
    # given
    committed["regions"] += [SRI_MULYO]
    committed["users"] += ["kades_sm"]
    _pool_at_least(2, committed)
    call = {"region_code": SRI_MULYO, "slug": "srimulyo", "admin_username": "kades_sm"}

    # when: the same village arrives twice at once (a double-clicked form, a retried job)
    results = _onboard_in_threads([call, dict(call)])

    # then: one onboarding makes it, the other finds it; nobody gets an error
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].village.pk == results[1].village.pk
    assert Village.objects.filter(region_id=SRI_MULYO).count() == 1


def test_the_same_slug_claimed_twice_at_once_is_a_conflict_not_a_crash(committed):
    committed["regions"] += [SRI_MULYO, SRI_MENANTI]
    committed["users"] += ["kades_sm", "kades_smn"]
    _pool_at_least(2, committed)

    results = _onboard_in_threads(
        [
            {"region_code": SRI_MULYO, "slug": "sri", "admin_username": "kades_sm"},
            {"region_code": SRI_MENANTI, "slug": "sri", "admin_username": "kades_smn"},
        ]
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1
    assert isinstance(errors[0], BalaiError), errors[0]
    assert (errors[0].status, errors[0].errors[0].field) == (409, "slug")
    assert Village.objects.filter(slug="sri").count() == 1


def test_a_failed_onboarding_outside_any_test_transaction_leaves_no_schema(committed):
    # given: committed state, as in production (no savepoint of a test to roll back to)
    committed["regions"] += [SRI_MENANTI]
    pool_before = _pool_at_least(1, committed)

    # when
    with pytest.raises(BalaiError):
        village_onboard(region_code=SRI_MENANTI, slug="srimenanti", admin_username="u" * 151)

    # then
    assert _village_rows(SRI_MENANTI) == (False, False, False)
    assert pool_before <= set(PooledSchema.objects.values_list("schema_name", flat=True))
    assert all(schema_exists(name) for name in pool_before)


def _balai(*args: str) -> subprocess.CompletedProcess:
    """Run the ``balai`` console script against the (committed) test database."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    url = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return subprocess.run(
        [str(Path(sys.executable).parent / "balai"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": url, "BALAI_ENV": "test"},
        cwd=Path(__file__).resolve().parents[1],
    )


def test_balai_onboard_village_console_script(committed):
    committed["regions"] += [SETIA_NEGARA]
    committed["users"] += ["kades_sn"]
    args = ["onboard-village", SETIA_NEGARA, "Setia Negara", "setianegara", "--admin", "kades_sn"]

    first = _balai(*args)
    again = _balai(*args)
    refused = _balai("onboard-village", SRI_MULYO, "Sri Mulyo", "sri_mulyo", "--admin", "x")

    assert first.returncode == 0, first.stderr
    assert "onboarded: schema desa_1808112004" in first.stdout
    assert "already onboarded" in again.stdout
    assert _village_rows(SETIA_NEGARA) == (True, True, True)
    assert refused.returncode != 0
    assert "slug: The slug takes lower-case letters" in refused.stderr
    assert _village_rows(SRI_MULYO) == (False, False, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"region_code,slug,admin_username\n" + b"x" * (2 * 1024 * 1024), "too_large"),
        (b"region_code,slug,admin_username\n\xff\xfe,x,y\n", "not_utf8"),
    ],
)
def test_a_bulk_file_too_large_or_not_utf8_is_refused_naming_the_file(pat_client, content, code):
    upload = SimpleUploadedFile("desa.csv", content, content_type="text/csv")
    response = pat_client.post(BULK_URL, {"file": upload})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("file", code)
    assert error["message"] != error["message_en"]
    assert not BulkOnboardingJob.objects.exists()
