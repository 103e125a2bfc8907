"""Offboarding: export a village to one archive, delete it only when confirmed, restore it.

Export reads through pg_dump on another connection, which cannot see the ``db`` fixture's
open transaction, so most tests here work on committed data: a village of their own
(Sri Mulyo, 18.08.11.2005), onboarded once for this module and removed at its end. Each
test leaves it onboarded as it found it. Access tests use the ``db`` fixture and the cast.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole, User, VillageMembership
from balai.accounts.services import membership_grant, user_get_or_create
from balai.errors import BalaiError
from balai.onboarding.models import PlatformAuditEvent
from balai.onboarding.services import village_onboard
from services.residents.models import Resident
from services.village.models import VillageProfile
from services.village.services import village_profile_update
from tenants.models import Domain, Village
from tenants.offboarding import village_delete, village_export, village_restore
from tenants.provisioning import schema_exists, schema_name_for_region
from tenants.routing import village_host
from tests.conftest import PASSWORD, client_for
from tests.factories import ResidentFactory
from tests.worker import REPO_DIR, RESULT_TIMEOUT

REGION = "18.08.11.2005"
SLUG = "srimulyo"
SCHEMA = schema_name_for_region(REGION)
HEAD = "sari_srimulyo"
OPERATOR = "oscar_srimulyo"
RESIDENTS = ["Joko Susilo", "Lina Marlina", "Sri Wahyuni"]
ADDRESS = "Jl. Poros Sri Mulyo No. 1"


def _remove_village(region_code: str) -> None:
    schema = schema_name_for_region(region_code)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    Village.objects.filter(region_id=region_code).delete()


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("exports")
    with override_settings(BALAI_EXPORT_DIR=path):
        yield path


@pytest.fixture(scope="module")
def sri_mulyo(request, django_db_blocker, export_dir) -> Iterator[Village]:
    """Sri Mulyo with a kepala desa, an operator, three residents and an address; committed."""
    # pytest-django makes the test database only when a selected test asks for ``db``; these
    # tests do not, and without one the session setup would write to the real database.
    if not any(
        "db" in item.fixturenames or item.get_closest_marker("django_db")
        for item in request.session.items
    ):
        pytest.fail("no test database: select a test that uses `db` too, or the whole module")
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"] == connection.settings_dict["TEST"]["NAME"]
        _remove_village(REGION)  # left over by an interrupted run
        village = village_onboard(
            region_code=REGION,
            slug=SLUG,
            name="Sri Mulyo",
            admin_username=HEAD,
            admin_password=PASSWORD,
        ).village
        operator, _ = user_get_or_create(
            username=OPERATOR, email="oscar@example.org", first_name="Oscar", password=PASSWORD
        )
        membership_grant(user=operator, village=village, role=StaffRole.OPERATOR)
        with schema_context(village.schema_name):
            for name in RESIDENTS:
                ResidentFactory(full_name=name)
            village_profile_update(changes={"address": ADDRESS})
        connection.set_schema_to_public()
        try:
            yield village
        finally:
            connection.set_schema_to_public()
            _remove_village(REGION)
            User.objects.filter(username__in=[HEAD, OPERATOR]).delete()
            PlatformAuditEvent.objects.filter(village_code=REGION).delete()


@pytest.fixture(scope="module")
def pat(sri_mulyo) -> User:
    return User.objects.get(username="pat")


@pytest.fixture(scope="module")
def archive(sri_mulyo, pat) -> Path:
    return village_export(village=sri_mulyo, actor=pat)


def _current() -> Village:
    return Village.objects.get(region_id=REGION)


def _resident_names(schema: str = SCHEMA) -> list[str]:
    with schema_context(schema):
        return list(Resident.objects.order_by("full_name").values_list("full_name", flat=True))


def _parts(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {member.name: tar.extractfile(member).read() for member in tar}


def _repack(
    archive: Path,
    target: Path,
    *,
    manifest: dict | None = None,
    public: dict | None = None,
    schema_sql: bytes | None = None,
    keep_checksums: bool = False,
) -> Path:
    """A copy of ``archive`` with parts replaced; the manifest's sums follow unless kept."""
    parts = _parts(archive)
    new_manifest = json.loads(parts["manifest.json"])
    new_manifest.update(manifest or {})
    if public is not None:
        parts["public.json"] = json.dumps(public).encode()
    if schema_sql is not None:
        parts["schema.sql"] = schema_sql
    if not keep_checksums:
        for name in ("schema.sql", "public.json"):
            new_manifest["parts"][name]["sha256"] = hashlib.sha256(parts[name]).hexdigest()
    parts["manifest.json"] = json.dumps(new_manifest).encode()
    with tarfile.open(target, "w:gz") as tar:
        for name, data in parts.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def _error(raised: pytest.ExceptionInfo) -> tuple[str, str]:
    error = raised.value.errors[0]
    return error.field, error.code


# --- export ------------------------------------------------------------------------------


def test_an_export_is_one_archive_named_after_the_region_with_a_manifest(archive, export_dir):
    assert archive.parent == export_dir
    assert archive.name.startswith(f"{SCHEMA}-") and archive.name.endswith(".tar.gz")
    assert oct(archive.stat().st_mode & 0o777) == oct(0o600)
    parts = _parts(archive)
    assert set(parts) == {"manifest.json", "schema.sql", "public.json"}
    manifest = json.loads(parts["manifest.json"])
    assert manifest["region_code"] == REGION
    assert manifest["slug"] == SLUG
    assert manifest["schema_name"] == SCHEMA
    assert len(manifest["migrations_fingerprint"]) == 64


def test_an_export_holds_the_staff_but_no_password_hashes(archive):
    public = json.loads(_parts(archive)["public.json"])
    assert public["village"]["region_code"] == REGION
    assert public["domains"] == [{"domain": village_host(SLUG), "is_primary": True}]
    assert [(m["username"], m["role"]) for m in public["memberships"]] == [
        (OPERATOR, StaffRole.OPERATOR),
        (HEAD, StaffRole.KEPALA_DESA),
    ]
    assert "password" not in json.dumps(public)
    assert "md5$" not in json.dumps(public)


def test_an_export_holds_the_residents_in_the_schema_dump(archive):
    schema_sql = _parts(archive)["schema.sql"].decode()
    for name in RESIDENTS:
        assert name in schema_sql
    assert ADDRESS in schema_sql


def test_an_export_is_audited_with_who_and_which_file(archive, pat):
    event = PlatformAuditEvent.objects.get(
        action="village_exported", village_code=REGION, detail__file=archive.name
    )
    assert event.actor == pat
    assert event.detail["memberships"] == 2


# --- delete and restore ------------------------------------------------------------------


def test_a_village_deleted_and_restored_comes_back_whole(sri_mulyo, archive, pat):
    # given: Sri Mulyo as exported
    village = _current()

    # when: the deletion is confirmed with the wrong name
    with pytest.raises(BalaiError) as refused:
        village_delete(village=village, confirm="sri-mulyo", actor=pat)

    # then: it is refused and nothing is gone
    assert _error(refused) == ("confirm", "confirmation_mismatch")
    assert schema_exists(SCHEMA)
    assert _resident_names() == RESIDENTS
    assert client_for(village).get("/healthz").status_code == 200

    # when: it is confirmed with the slug
    deleted = village_delete(village=village, confirm=SLUG, actor=pat)

    # then: schema, village, domain and memberships are gone; the audit row stays
    assert deleted.memberships == 2
    assert not schema_exists(SCHEMA)
    assert not Village.objects.filter(region_id=REGION).exists()
    assert not Domain.objects.filter(domain=village_host(SLUG)).exists()
    assert not VillageMembership.objects.filter(user__username__in=[HEAD, OPERATOR]).exists()
    assert PlatformAuditEvent.objects.filter(action="village_deleted", village_code=REGION).exists()
    assert client_for(village).get("/healthz").status_code == 404

    # and: the operator's account is missing, as on a fresh install
    User.objects.filter(username=OPERATOR).delete()

    # when: the archive is restored
    restored = village_restore(archive=archive, actor=pat)

    # then: residents, profile, domain and staff are back, and the village routes again
    assert restored.schema_name == SCHEMA
    assert restored.slug == SLUG
    assert _resident_names() == RESIDENTS
    with schema_context(SCHEMA):
        assert VillageProfile.objects.get().address == ADDRESS
        # the sequences came back too: a new resident does not collide with the old ones
        ResidentFactory(full_name="Warga Baru")
    assert list(Domain.objects.filter(tenant=restored).values_list("domain", "is_primary")) == [
        (village_host(SLUG), True)
    ]
    roles = dict(
        VillageMembership.objects.filter(village=restored).values_list("user__username", "role")
    )
    assert roles == {HEAD: StaffRole.KEPALA_DESA, OPERATOR: StaffRole.OPERATOR}
    head = User.objects.get(username=HEAD)
    assert head.is_active and head.check_password(PASSWORD)
    operator = User.objects.get(username=OPERATOR)
    assert not operator.is_active and not operator.has_usable_password()
    assert operator.email == "oscar@example.org"
    response = client_for(restored, user=head).get("/healthz")
    assert response.status_code == 200
    assert response.json()["schema"] == SCHEMA
    restore_event = PlatformAuditEvent.objects.get(action="village_restored", village_code=REGION)
    assert restore_event.actor == pat
    assert restore_event.detail["created_inactive_users"] == [OPERATOR]

    with schema_context(SCHEMA):
        Resident.objects.filter(full_name="Warga Baru").delete()


@pytest.mark.parametrize(
    "breakage",
    ["a_failing_statement_after_the_data", "a_staff_row_that_fails_after_the_schema_loaded"],
)
def test_a_restore_that_fails_midway_leaves_no_schema_and_no_rows(
    sri_mulyo, archive, pat, tmp_path, breakage
):
    # given: a deleted village and an archive that breaks after the schema has loaded
    parts = _parts(archive)
    if breakage == "a_failing_statement_after_the_data":
        broken = _repack(
            archive, tmp_path / "broken.tar.gz", schema_sql=parts["schema.sql"] + b"SELECT 1/0;\n"
        )
    else:
        public = json.loads(parts["public.json"])
        public["memberships"].append({"username": "x" * 151, "role": StaffRole.OPERATOR})
        broken = _repack(archive, tmp_path / "broken.tar.gz", public=public)
    village_delete(village=_current(), confirm=SLUG, actor=pat)
    users_before = User.objects.count()

    # when
    with pytest.raises(BalaiError) as failed:
        village_restore(archive=broken, actor=pat)

    # then: nothing of it remains, and the good archive still restores
    assert failed.value.errors[0].field == "archive"
    assert not schema_exists(SCHEMA)
    assert not Village.objects.filter(region_id=REGION).exists()
    assert not Domain.objects.filter(domain=village_host(SLUG)).exists()
    assert User.objects.count() == users_before
    village_restore(archive=archive, actor=pat)
    assert _resident_names() == RESIDENTS


def test_a_restore_can_give_the_village_a_new_slug(sri_mulyo, archive, pat):
    village_delete(village=_current(), confirm=REGION, actor=pat)
    try:
        restored = village_restore(archive=archive, slug="sri-mulyo-baru", actor=pat)
        assert list(Domain.objects.filter(tenant=restored).values_list("domain", flat=True)) == [
            village_host("sri-mulyo-baru")
        ]
        assert client_for(restored).get("/healthz").json()["schema"] == SCHEMA
    finally:
        village_delete(village=_current(), confirm=REGION, actor=pat)
        village_restore(archive=archive, actor=pat)
    assert _current().slug == SLUG


# --- restore refusals --------------------------------------------------------------------


def test_a_restore_refuses_a_region_that_is_already_onboarded(sri_mulyo, archive):
    with pytest.raises(BalaiError) as refused:
        village_restore(archive=archive)
    assert _error(refused) == ("region_code", "region_taken")
    assert SLUG in refused.value.errors[0].message_en
    assert _resident_names() == RESIDENTS


def test_a_restore_refuses_a_tampered_archive(sri_mulyo, archive, pat, tmp_path):
    # given: a resident's name changed in the dump, the manifest left as it was
    schema_sql = _parts(archive)["schema.sql"].replace(b"Lina Marlina", b"Lina Marlena")
    tampered = _repack(archive, tmp_path / "t.tar.gz", schema_sql=schema_sql, keep_checksums=True)
    village_delete(village=_current(), confirm=SLUG, actor=pat)
    try:
        # when
        with pytest.raises(BalaiError) as refused:
            village_restore(archive=tampered)

        # then
        assert _error(refused) == ("archive", "checksum_mismatch")
        assert not schema_exists(SCHEMA)
    finally:
        village_restore(archive=archive, actor=pat)


@pytest.mark.parametrize(
    "manifest, code",
    [
        ({"migrations_fingerprint": "0" * 64}, "migrations_mismatch"),
        ({"schema_name": "desa_1808112001"}, "schema_name_mismatch"),
        ({"format_version": 99}, "unsupported_format"),
    ],
    ids=["other_migrations", "other_schema_name", "newer_format"],
)
def test_a_restore_refuses_an_archive_it_cannot_trust(sri_mulyo, archive, tmp_path, manifest, code):
    odd = _repack(archive, tmp_path / "odd.tar.gz", manifest=manifest)
    with pytest.raises(BalaiError) as refused:
        village_restore(archive=odd)
    assert _error(refused) == ("archive", code)
    if code == "migrations_mismatch":
        assert "not supported yet" in refused.value.errors[0].message_en


def test_a_restore_refuses_a_dump_that_reaches_outside_its_schema(sri_mulyo, archive, tmp_path):
    schema_sql = _parts(archive)["schema.sql"] + (
        b"\n--\n-- Name: x; Type: TABLE; Schema: public; Owner: -\n--\n\n"
        b"CREATE TABLE public.x (id int);\n"
    )
    odd = _repack(archive, tmp_path / "odd.tar.gz", schema_sql=schema_sql)
    with pytest.raises(BalaiError) as refused:
        village_restore(archive=odd)
    assert _error(refused) == ("archive", "foreign_schema")


def test_a_restore_refuses_an_archive_with_unexpected_members(sri_mulyo, archive, tmp_path):
    odd = tmp_path / "odd.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(odd, "w:gz") as target:
        for member in source:
            target.addfile(member, source.extractfile(member))
        info = tarfile.TarInfo("../etc/cron.d/evil")
        info.size = 1
        target.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(BalaiError) as refused:
        village_restore(archive=odd)
    assert _error(refused) == ("archive", "unexpected_member")


# --- API ---------------------------------------------------------------------------------


@pytest.fixture
def platform_client(settings) -> Client:
    return Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)


REQUESTS = {
    "export": ("post", lambda v: f"/api/platform/villages/{v.slug}/export/"),
    "delete": ("delete", lambda v: f"/api/platform/villages/{v.slug}/?confirm={v.slug}"),
    "job": ("get", lambda v: "/api/platform/export-jobs/" + "a" * 32 + "/"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "alice", "carol"])
@pytest.mark.parametrize("request_name", sorted(REQUESTS))
def test_only_platform_admins_may_export_or_delete_villages(
    cast, platform_client, who, request_name
):
    # given
    if who != "anonymous":
        platform_client.force_login(getattr(cast, who))
    method, url = REQUESTS[request_name]

    # when: alice asks about her own village
    response = getattr(platform_client, method)(url(cast.village_a))

    # then
    assert response.status_code in ({401, 403} if who == "anonymous" else {403})
    assert Village.objects.filter(pk=cast.village_a.pk).exists()
    assert schema_exists(cast.village_a.schema_name)


@pytest.mark.django_db
def test_a_platform_admin_delete_needs_the_slug_in_confirm(cast, platform_client):
    platform_client.force_login(cast.pat)
    village = cast.village_c

    refused = platform_client.delete(f"/api/platform/villages/{village.slug}/?confirm=desa")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "confirm"
    assert schema_exists(village.schema_name)

    # Deleted inside the test transaction (DROP SCHEMA is transactional), so rolled back.
    deleted = platform_client.delete(
        f"/api/platform/villages/{village.slug}/?confirm={village.slug}"
    )
    assert deleted.status_code == 200
    assert deleted.json()["deleted"]["schema_name"] == village.schema_name
    assert not schema_exists(village.schema_name)
    assert not Village.objects.filter(pk=village.pk).exists()


@pytest.mark.django_db
def test_an_unknown_export_job_is_a_404(cast, platform_client):
    platform_client.force_login(cast.pat)
    assert platform_client.get("/api/platform/export-jobs/" + "0" * 32 + "/").status_code == 404
    assert platform_client.get("/api/platform/export-jobs/not-a-job/").status_code == 404


def _worker_export_dir() -> Path:
    """Where the live worker (started with this process's environment) writes archives."""
    data_dir = Path(os.environ.get("BALAI_DATA_DIR") or REPO_DIR / ".balai-data")
    return Path(os.environ.get("BALAI_EXPORT_DIR") or data_dir / "exports")


@pytest.mark.worker
def test_an_export_asked_for_over_the_api_is_made_by_a_worker(live_worker, sri_mulyo, pat):
    # given
    client = Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)
    client.force_login(pat)

    # when
    queued = client.post(f"/api/platform/villages/{SLUG}/export/")

    # then: the job is queued, and a worker finishes it
    assert queued.status_code == 202
    job_url = f"/api/platform/export-jobs/{queued.json()['id']}/"
    deadline = time.monotonic() + RESULT_TIMEOUT
    job = queued.json()
    while job["status"] in {"queued", "running"} and time.monotonic() < deadline:
        time.sleep(0.2)
        job = client.get(job_url).json()
    assert job["status"] == "finished", f"{job}\n{live_worker.log()}"
    path = _worker_export_dir() / job["file"]
    try:
        assert job["file"].startswith(f"{SCHEMA}-")
        assert json.loads(_parts(path)["manifest.json"])["region_code"] == REGION
        event = PlatformAuditEvent.objects.get(action="village_exported", detail__file=job["file"])
        assert event.actor == pat
        assert event.detail["sha256"] == job["sha256"]
    finally:
        path.unlink(missing_ok=True)


# --- commands ----------------------------------------------------------------------------


def test_the_commands_export_refuse_a_careless_delete_then_delete_and_restore(sri_mulyo, tmp_path):
    out = io.StringIO()
    call_command("export_village", SLUG, "--output", str(tmp_path), stdout=out)
    [path] = tmp_path.glob(f"{SCHEMA}-*.tar.gz")
    assert str(path) in out.getvalue()

    with pytest.raises(CommandError, match=f"balai export-village {SLUG}"):
        call_command("delete_village", SLUG, "--confirm", "ya")
    assert schema_exists(SCHEMA)

    call_command("delete_village", SLUG, "--confirm", SLUG, stdout=out)
    assert not schema_exists(SCHEMA)

    call_command("restore_village", str(path), stdout=out)
    assert _resident_names() == RESIDENTS
    assert f"Sri Mulyo ({REGION}) restored" in out.getvalue()
