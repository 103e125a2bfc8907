"""Every staff, supervisor and platform-admin page refuses the wrong village, the wrong role
and anonymous visitors: anonymous ones go to the login page, signed-in ones get a 403."""

from __future__ import annotations

import pytest
from django.test import Client

from balai.accounts.models import VillageMembership
from tenants.models import Village, VillageStatus
from tests.conftest import RESIDENT_PIN, client_for, host_of

pytestmark = pytest.mark.django_db

PLATFORM_PAGES = [
    "/platform/desa/",
    "/platform/desa/baru/",
    "/platform/desa/massal/",
    "/platform/desa/negarabatin/",
    "/platform/kesehatan/",
]
PLATFORM_ACTIONS = [
    "/platform/desa/negarabatin/tangguhkan/",
    "/platform/desa/negarabatin/aktifkan/",
    "/platform/desa/negarabatin/ekspor/",
]
SUPERVISOR_PAGES = [
    "/pengawas/",
    "/pengawas/desa/",
    "/pengawas/perbandingan/",
    "/pengawas/perbandingan.csv",
    "/pengawas/pengaduan-terlambat/",
    "/pengawas/nik-ganda/",
    "/pengawas/nik-ganda.csv",
    "/pengawas/perbandingan/?tingkat=kecamatan",
    "/pengawas/perbandingan.csv?tingkat=kecamatan",
]
# One village of kecamatan 18.08.11 (village A): dave, of another kecamatan, gets a 404.
SUPERVISOR_VILLAGE_PAGES = [
    "/pengawas/desa/18.08.11.2001/",
    "/pengawas/desa/18.08.11.2001/?hari=365",
]
STAFF_PAGES = [
    "/kantor/",
    "/kantor/pengaduan/",
    "/kantor/pengaduan/pengaturan/",
    "/kantor/notifikasi/",
    "/kantor/surat/",
    "/kantor/surat/arsip/",
    "/kantor/surat/baru/",
    "/kantor/surat/templat/",
    "/kantor/surat/templat/domisili/pratinjau/",
    "/kantor/ekonomi/",
    "/kantor/ekonomi/produk/",
    "/kantor/ekonomi/bumdes/",
    "/kantor/ekonomi/potensi/",
    "/kantor/ekonomi/usaha/baru/",
    "/kantor/pelatihan/",
    "/kantor/pelatihan/baru/",
    "/kantor/pelatihan/materi/",
    "/kantor/penduduk/",
    "/kantor/penduduk/baru/",
    "/kantor/penduduk/ekspor.csv",
    "/kantor/keluarga/",
    "/kantor/impor/",
    "/kantor/impor/templat.csv",
    "/kantor/berita/",
    "/kantor/berita/baru/",
    "/kantor/anggaran/",
    "/kantor/statistik/",
    "/kantor/wilayah/",
]
# Narrower than every staff role: bob, the operator of B, is refused on his own village.
HEAD_PAGES = ["/kantor/staf/", "/kantor/audit/"]
HEAD_ACTIONS = [
    "/kantor/staf/",
    "/kantor/staf/{alice}/peran/",
    "/kantor/staf/{alice}/keluarkan/",
]
# Staff pages of the kepala desa and sekretaris only (bob, an operator, is refused).
HEAD_SECRETARY_PAGES = [
    "/kantor/surat/templat/domisili/",
    "/kantor/surat/templat/domisili/isian/",
    "/kantor/surat/pengaturan/",
    "/kantor/profil/",
    "/kantor/perangkat/",
]
RESIDENT_PAGES = [
    "/warga/",
    "/warga/pengaduan/",
    "/warga/notifikasi/",
    "/warga/notifikasi/pengaturan/",
    "/warga/surat/",
    "/warga/surat/baru/",
    "/warga/surat/baru/domisili/",
    "/warga/usaha/",
    "/warga/usaha/baru/",
    "/warga/pelatihan/",
    "/warga/data/",
]
# POST actions: refused before any object is looked up, so the ids need not exist.
ECONOMY_STAFF_ACTIONS = [
    "/kantor/ekonomi/usaha/1/verifikasi/",
    "/kantor/ekonomi/usaha/1/tolak/",
    "/kantor/ekonomi/produk/1/sembunyikan/",
    "/kantor/ekonomi/produk/1/tampilkan/",
    "/kantor/ekonomi/bumdes/",
    "/kantor/ekonomi/potensi/",
    "/kantor/ekonomi/potensi/1/hapus/",
    "/kantor/ekonomi/potensi/1/ubah/",
    "/kantor/ekonomi/usaha/baru/",
    "/kantor/ekonomi/bumdes/unit/1/",
    "/kantor/ekonomi/bumdes/unit/1/hapus/",
]
LEARNING_STAFF_ACTIONS = [
    "/kantor/pelatihan/kecamatan/1/daftarkan/",
    "/kantor/pelatihan/kecamatan/pendaftaran/1/batal/",
    "/kantor/pelatihan/materi/",
    "/kantor/pelatihan/materi/1/",
    "/kantor/pelatihan/materi/1/hapus/",
]
LETTER_STAFF_ACTIONS = ["/kantor/surat/baru/1/domisili/"]
# Areas are changed by the kepala desa and sekretaris only, as the API allows.
AREA_HEAD_SECRETARY_ACTIONS = [
    "/kantor/wilayah/tambah/",
    "/kantor/wilayah/1/ubah/",
    "/kantor/wilayah/1/hapus/",
]
LETTER_HEAD_SECRETARY_ACTIONS = [
    "/kantor/surat/pengaturan/",
    "/kantor/surat/templat/domisili/isian/",
]
ECONOMY_RESIDENT_ACTIONS = [
    "/warga/usaha/baru/",
    "/warga/usaha/1/",
    "/warga/usaha/1/foto/",
    "/warga/usaha/1/ajukan/",
    "/warga/usaha/1/produk/baru/",
    "/warga/usaha/produk/1/",
    "/warga/usaha/produk/1/foto/",
    "/warga/usaha/produk/1/hapus/",
    "/warga/usaha/1/foto/0/hapus/",
    "/warga/usaha/produk/1/foto/0/hapus/",
]
STAFF_ACTIONS = [
    "/kantor/berita/baru/",
    "/kantor/anggaran/2026/baris/",
    "/kantor/anggaran/2026/impor/",
    "/kantor/profil/",
    "/kantor/perangkat/",
]

# Complaint and notification actions of any staff role; the settings save is the kepala
# desa's and sekretaris's (bob, an operator, is refused even in his own village).
COMPLAINT_STAFF_ACTIONS = [
    "/kantor/pengaduan/ZZZZZZZZZZ/gabungkan/",
    "/kantor/pengaduan/ZZZZZZZZZZ/visibilitas/",
    "/kantor/notifikasi/1/kirim-ulang/",
]
COMPLAINT_HEAD_SECRETARY_ACTIONS = ["/kantor/pengaduan/pengaturan/simpan/"]

ALLOWED, LOGIN, FORBIDDEN, NOT_FOUND = "allowed", "login", "forbidden", "not found"


def _client(cast, who: str, host: str) -> Client:
    """A client on ``host`` ("public", "a" or "b") signed in as ``who`` (or anonymous)."""
    if host == "public":
        from django.conf import settings

        client = Client(HTTP_HOST=settings.BALAI_BASE_DOMAIN)
    else:
        client = client_for(cast.village_a if host == "a" else cast.village_b)
    if who == "resident_a":
        # A resident logs in on village A's host; the session is then used on ``host``.
        login = client_for(cast.village_a)
        response = login.post(
            "/masuk/",
            {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
        )
        assert response.status_code == 302
        client.cookies["sessionid"] = login.cookies["sessionid"].value
    elif who != "anonymous":
        client.force_login(getattr(cast, who))
    return client


def _cases():
    everyone = ["anonymous", "alice", "bob", "carol", "dave", "erin", "pat", "resident_a"]
    for path in PLATFORM_PAGES:
        for who in everyone:
            if who == "resident_a":
                continue  # a resident session is village-bound: on the public host it is none
            yield (
                "public",
                path,
                "get",
                who,
                ALLOWED if who == "pat" else (LOGIN if who == "anonymous" else FORBIDDEN),
            )
        yield "a", path, "get", "pat", NOT_FOUND  # admin pages do not exist on village hosts
    for path in PLATFORM_ACTIONS:
        for who in ("anonymous", "alice", "carol", "erin"):
            yield "public", path, "post", who, LOGIN if who == "anonymous" else FORBIDDEN
    for path in SUPERVISOR_PAGES:
        for who in everyone:
            if who == "resident_a":
                continue
            expected = ALLOWED if who in ("carol", "dave", "erin") else FORBIDDEN
            yield "public", path, "get", who, LOGIN if who == "anonymous" else expected
        yield "a", path, "get", "carol", NOT_FOUND
    for path in SUPERVISOR_VILLAGE_PAGES:
        for who in everyone:
            if who == "resident_a":
                continue
            expected = {"carol": ALLOWED, "erin": ALLOWED, "dave": NOT_FOUND}.get(who, FORBIDDEN)
            yield "public", path, "get", who, LOGIN if who == "anonymous" else expected
        yield "a", path, "get", "carol", NOT_FOUND
    for path in STAFF_PAGES:
        for who in everyone:
            expected = ALLOWED if who == "alice" else FORBIDDEN
            yield "a", path, "get", who, LOGIN if who == "anonymous" else expected
        # bob is staff of B: allowed there; alice is not.
        yield "b", path, "get", "bob", ALLOWED
        yield "b", path, "get", "alice", FORBIDDEN
    for path in HEAD_SECRETARY_PAGES + HEAD_PAGES:
        for who in everyone:
            expected = ALLOWED if who == "alice" else FORBIDDEN
            yield "a", path, "get", who, LOGIN if who == "anonymous" else expected
        yield "b", path, "get", "bob", FORBIDDEN
        yield "b", path, "get", "alice", FORBIDDEN
    for path in STAFF_ACTIONS:
        for who in ("anonymous", "bob", "carol", "pat", "resident_a"):
            yield "a", path, "post", who, LOGIN if who == "anonymous" else FORBIDDEN
    for path in HEAD_ACTIONS:
        for who in ("anonymous", "carol", "pat", "resident_a"):
            yield "a", path, "post", who, LOGIN if who == "anonymous" else FORBIDDEN
        yield "b", path, "post", "bob", FORBIDDEN
        yield "b", path, "post", "alice", FORBIDDEN
    for path in RESIDENT_PAGES:
        for who in everyone:
            expected = ALLOWED if who == "resident_a" else FORBIDDEN
            yield "a", path, "get", who, LOGIN if who == "anonymous" else expected
        # Village A's resident session means nothing on village B: treated as anonymous.
        yield "b", path, "get", "resident_a", LOGIN
    for path in ECONOMY_STAFF_ACTIONS + LEARNING_STAFF_ACTIONS:
        for who in ("anonymous", "carol", "resident_a"):
            yield "a", path, "post", who, LOGIN if who == "anonymous" else FORBIDDEN
        yield "b", path, "post", "alice", FORBIDDEN
    for path in LETTER_STAFF_ACTIONS + LETTER_HEAD_SECRETARY_ACTIONS + AREA_HEAD_SECRETARY_ACTIONS:
        for who in ("anonymous", "carol", "resident_a"):
            yield "a", path, "post", who, LOGIN if who == "anonymous" else FORBIDDEN
        yield "b", path, "post", "alice", FORBIDDEN
    for path in LETTER_HEAD_SECRETARY_ACTIONS + AREA_HEAD_SECRETARY_ACTIONS:
        yield "b", path, "post", "bob", FORBIDDEN  # an operator
    for path in ECONOMY_RESIDENT_ACTIONS:
        for who in ("anonymous", "alice", "carol"):
            yield "a", path, "post", who, LOGIN if who == "anonymous" else FORBIDDEN
        yield "b", path, "post", "resident_a", LOGIN
    for path in COMPLAINT_STAFF_ACTIONS + COMPLAINT_HEAD_SECRETARY_ACTIONS:
        for who in ("anonymous", "carol", "resident_a"):
            yield "a", path, "post", who, LOGIN if who == "anonymous" else FORBIDDEN
        yield "b", path, "post", "alice", FORBIDDEN
    for path in COMPLAINT_HEAD_SECRETARY_ACTIONS:
        yield "b", path, "post", "bob", FORBIDDEN


CASES = list(_cases())


@pytest.mark.parametrize(
    ("host", "path", "method", "who", "expected"),
    CASES,
    ids=[f"{c[3]}-{c[2]}-{c[0]}{c[1]}-{c[4]}" for c in CASES],
)
def test_page_access(cast, host, path, method, who, expected):
    # given
    client = _client(cast, who, host)
    alice_in_a = VillageMembership.objects.get(user=cast.alice, village=cast.village_a)
    memberships = list(VillageMembership.objects.order_by("pk").values_list("pk", "role"))
    # when
    response = getattr(client, method)(path.format(alice=alice_in_a.pk))
    # then
    if expected == ALLOWED:
        assert response.status_code == 200
    elif expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/masuk/?next=")
    elif expected == FORBIDDEN:
        assert response.status_code == 403
        assert "bukan untuk akun Anda" in response.content.decode()
    else:
        assert response.status_code == 404
    # Refused actions change nothing.
    assert Village.objects.get(slug="negarabatin").status == VillageStatus.ACTIVE
    if expected != ALLOWED:
        assert list(VillageMembership.objects.order_by("pk").values_list("pk", "role")) == (
            memberships
        )


def test_the_login_page_sends_the_visitor_back_where_they_were_going(cast):
    # given: an anonymous visitor was sent to the login page from the staff dashboard
    client = client_for(cast.village_a)
    assert client.get("/kantor/")["Location"] == "/masuk/?next=/kantor/"
    # when
    response = client.post(
        "/masuk/",
        {
            "kind": "user",
            "user-username": "alice",
            "user-password": "kata-sandi-uji-123",
            "next": "/kantor/",
        },
    )
    # then
    assert response["Location"] == "/kantor/"


def test_the_login_page_never_redirects_to_another_host(cast):
    client = client_for(cast.village_a)
    response = client.post(
        "/masuk/",
        {
            "kind": "user",
            "user-username": "alice",
            "user-password": "kata-sandi-uji-123",
            "next": f"http://{host_of(cast.village_b)}/kantor/",
        },
    )
    assert response["Location"] == "/kantor/"


@pytest.mark.parametrize(
    ("who", "landing"),
    [("pat", "/platform/desa/"), ("carol", "/pengawas/")],
)
def test_each_role_lands_on_its_own_page_after_login(cast, public_client, who, landing):
    response = public_client.post(
        "/masuk/", {"kind": "user", "user-username": who, "user-password": "kata-sandi-uji-123"}
    )
    assert response["Location"] == landing


def test_a_resident_lands_on_their_own_page_after_login(cast):
    response = client_for(cast.village_a).post(
        "/masuk/",
        {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
    )
    assert response["Location"] == "/warga/"
