"""The village's public site (home, news, announcements, budget) and the staff pages that
feed it: news editor, profile, officials and APBDes entry."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from services.budget import workbook
from services.budget.models import BudgetLine
from services.budget.services import LineInput, budget_line_create
from services.news.models import Article, ArticleKind, ArticleStatus
from services.news.services import article_create
from services.village.home_cache import home_cache_key
from services.village.models import Official, VillageProfile
from services.village.services import official_create, village_profile_update
from tests.conftest import RESIDENT_PIN, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_home_cache(cast):
    keys = [home_cache_key(v.schema_name) for v in (cast.village_a, cast.village_b)]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png_upload(name: str = "foto.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("foto.png", b"<?php echo 1; ?>", content_type="image/png")


def article(cast, title: str, **kwargs) -> Article:
    with schema_context(cast.village_a.schema_name):
        return article_create(
            data={"title": title, "summary": f"Ringkasan {title}", **kwargs.pop("data", {})},
            author=cast.alice,
            **kwargs,
        )


def budget_line(cast, kind: str, sector: str, budget: str, realised: str) -> None:
    with schema_context(cast.village_a.schema_name):
        budget_line_create(
            year=timezone.localdate().year,
            line=LineInput(
                kind=kind,
                sector=sector,
                description=f"{sector} uji",
                budget=budget,
                realised=realised,
            ),
        )


def count_in_a(cast, model, **filters) -> int:
    with schema_context(cast.village_a.schema_name):
        return model.objects.filter(**filters).count()


# -- the public home ---------------------------------------------------------------------------


def test_the_home_shows_profile_officials_news_and_the_budget_chart(cast, media_root):
    # given
    with schema_context(cast.village_a.schema_name):
        village_profile_update(
            changes={"address": "Jl. Lintas Sumatra 1", "service_hours": "Senin-Kamis 08-14"},
            logo=png_upload(),
        )
        official_create(
            data={"name": "Pak Harun", "position": "Kepala Kampung"}, photo=png_upload()
        )
    article(cast, "Gotong royong", status=ArticleStatus.PUBLISHED)
    article(cast, "Posyandu pekan ini", status=ArticleStatus.PUBLISHED, data={"kind": "pengumuman"})
    budget_line(cast, "pendapatan", "dana_desa", "1000000000", "500000000")
    budget_line(cast, "belanja", "pembangunan", "800000000", "200000000")
    # when
    response = client_for(cast.village_a).get("/")
    page = response.content.decode()
    # then
    assert response.status_code == 200
    assert "<h1>Kampung Negara Batin</h1>" in page
    assert "Jl. Lintas Sumatra 1" in page and "Senin-Kamis 08-14" in page
    assert re.search(r'<img class="site-logo" src="/media/villages/[^"]+/logo/', page)
    assert "Pak Harun" in page and "/officials/" in page
    assert "Gotong royong" in page and "Posyandu pekan ini" in page
    assert '<svg class="chart"' in page and "Pembangunan" in page
    assert "Rp 800.000.000" in page and "25,00 %" in page
    assert 'rel="alternate" type="application/atom+xml" href="/berita/feed/"' in page.replace(
        ' title="Berita dan pengumuman"', ""
    )
    # Nothing on it needs htmx: the page stays light.
    assert "htmx" not in page


def test_the_home_links_the_other_areas_only_when_their_pages_exist(cast):
    page = client_for(cast.village_a).get("/").content.decode()
    assert 'href="/berita/"' in page and 'href="/anggaran/"' in page
    assert 'href="/masuk/"' in page
    # An area missing from this host drops out instead of breaking the page.
    assert 'href=""' not in page


def test_the_warm_home_makes_no_database_query(cast, django_assert_max_num_queries):
    client = client_for(cast.village_a)
    assert client.get("/").status_code == 200  # warms routing and the home cache
    with django_assert_max_num_queries(0):
        assert client.get("/").status_code == 200


def test_a_new_publication_shows_on_the_home_at_once(cast):
    client = client_for(cast.village_a)
    assert "Panen raya" not in client.get("/").content.decode()
    article(cast, "Panen raya", status=ArticleStatus.PUBLISHED)
    assert "Panen raya" in client.get("/").content.decode()


# -- news, announcements and the feed ----------------------------------------------------------


def test_only_published_news_is_public(cast):
    # given
    published = article(cast, "Sudah terbit", status=ArticleStatus.PUBLISHED)
    draft = article(cast, "Masih draf")
    scheduled = article(
        cast,
        "Terjadwal besok",
        status=ArticleStatus.PUBLISHED,
        publish_at=timezone.now() + timedelta(days=1),
    )
    client = client_for(cast.village_a)
    # when
    listing = client.get("/berita/").content.decode()
    feed = client.get("/berita/feed/").content.decode()
    # then
    assert "Sudah terbit" in listing and "Sudah terbit" in feed
    for hidden in (draft, scheduled):
        assert hidden.title not in listing
        assert hidden.title not in feed
        assert client.get(f"/berita/{hidden.slug}/").status_code == 404
    assert client.get(f"/berita/{published.slug}/").status_code == 200
    assert f"/berita/{published.slug}/" in feed


def test_staff_may_preview_a_draft(cast):
    draft = article(cast, "Draf kepala desa")
    response = client_for(cast.village_a, user=cast.alice).get(f"/berita/{draft.slug}/")
    assert response.status_code == 200
    assert "belum tampil untuk umum" in response.content.decode()


def test_news_of_one_village_is_not_found_on_another(cast):
    published = article(cast, "Kabar Negara Batin", status=ArticleStatus.PUBLISHED)
    response = client_for(cast.village_b).get(f"/berita/{published.slug}/")
    assert response.status_code == 404


def test_announcements_have_their_own_list_and_the_news_list_pages(cast):
    for number in range(12):
        article(cast, f"Berita nomor {number}", status=ArticleStatus.PUBLISHED)
    article(cast, "Rapat RT", status=ArticleStatus.PUBLISHED, data={"kind": "pengumuman"})
    client = client_for(cast.village_a)
    first = client.get("/berita/").content.decode()
    second = client.get("/berita/?halaman=2").content.decode()
    assert first.count(">Berita nomor") == 10 and second.count(">Berita nomor") == 2
    assert "Rapat RT" not in first
    assert "Rapat RT" in client.get("/pengumuman/").content.decode()


def test_the_feed_is_atom_with_the_village_name(cast):
    article(cast, "Kabar feed", status=ArticleStatus.PUBLISHED)
    response = client_for(cast.village_a).get("/berita/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Negara Batin" in response.content.decode()


# -- the public budget page --------------------------------------------------------------------


def test_the_budget_page_shows_the_year_table_chart_and_realisation(cast):
    budget_line(cast, "pendapatan", "dana_desa", "1000000", "750000")
    budget_line(cast, "belanja", "pemerintahan", "400000", "100000")
    year = timezone.localdate().year
    response = client_for(cast.village_a).get(f"/anggaran/?tahun={year}")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"APBDes {year}" in page
    assert page.count('<svg class="chart"') == 2
    assert "Penyelenggaraan Pemerintahan Desa" in page
    assert "Rp 750.000" in page and "75,00 %" in page and "25,00 %" in page


def test_the_budget_page_without_figures_says_so(cast):
    response = client_for(cast.village_b).get("/anggaran/")
    assert response.status_code == 200
    assert "Belum ada data anggaran" in response.content.decode()


# -- staff: news editor ------------------------------------------------------------------------


def test_staff_write_and_publish_news_through_the_editor(cast, media_root):
    client = client_for(cast.village_b, user=cast.bob)  # an operator writes news
    response = client.post(
        "/kantor/berita/baru/",
        {
            "kind": "berita",
            "title": "Jalan baru dibuka",
            "summary": "Ringkas",
            "body": "Isi",
            "cover": png_upload(),
            "action": "publish",
        },
    )
    assert response.status_code == 302
    with schema_context(cast.village_b.schema_name):
        created = Article.objects.get(title="Jalan baru dibuka")
        assert created.state == "published"
        assert created.cover.startswith(f"villages/{cast.village_b.schema_name}/news/")
    assert "Jalan baru dibuka" in client_for(cast.village_b).get("/").content.decode()


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"title": "   "}, "Judul wajib diisi."),
        ({"title": "Ok", "slug": "Bukan Slug!"}, "Slug hanya huruf kecil"),
        ({"title": "Ok", "slug": "feed"}, "Slug ini dipakai sistem."),
        ({"title": "Ok", "cover": "bad"}, "Berkas bukan gambar JPEG, PNG atau WebP."),
    ],
)
def test_the_news_editor_refuses_bad_input_and_writes_nothing(cast, media_root, data, field_error):
    if data.get("cover") == "bad":
        data["cover"] = not_an_image()
    before = count_in_a(cast, Article)
    response = client_for(cast.village_a, user=cast.alice).post(
        "/kantor/berita/baru/", {"kind": "berita", "action": "publish", **data}
    )
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert count_in_a(cast, Article) == before


def test_staff_edit_unpublish_and_publish_an_article(cast):
    created = article(cast, "Judul lama", status=ArticleStatus.PUBLISHED)
    client = client_for(cast.village_a, user=cast.alice)
    response = client.post(
        f"/kantor/berita/{created.pk}/",
        {"kind": "berita", "title": "Judul baru", "slug": created.slug, "action": "save"},
    )
    assert response.status_code == 302
    assert client.post(f"/kantor/berita/{created.pk}/tarik/").status_code == 302
    with schema_context(cast.village_a.schema_name):
        assert Article.objects.get(pk=created.pk).title == "Judul baru"
        assert Article.objects.get(pk=created.pk).state == "draft"
    assert client.post(f"/kantor/berita/{created.pk}/terbitkan/").status_code == 302
    with schema_context(cast.village_a.schema_name):
        assert Article.objects.get(pk=created.pk).state == "published"
    listing = client.get("/kantor/berita/?jenis=berita").content.decode()
    assert "Judul baru" in listing


def test_staff_of_another_village_cannot_touch_an_article(cast):
    created = article(cast, "Milik Negara Batin", status=ArticleStatus.PUBLISHED)
    bob = client_for(cast.village_a, user=cast.bob)
    assert bob.post(f"/kantor/berita/{created.pk}/tarik/").status_code == 403
    # On his own host the id does not exist: village B's schema has no such article.
    assert client_for(cast.village_b, user=cast.bob).get(
        f"/kantor/berita/{created.pk}/"
    ).status_code in (404,)
    with schema_context(cast.village_a.schema_name):
        assert Article.objects.get(pk=created.pk).state == "published"


# -- staff: profile and officials --------------------------------------------------------------


def test_every_page_of_the_village_carries_its_logo_in_the_header(cast, media_root):
    # given: village A has a logo, village B none
    with schema_context(cast.village_a.schema_name):
        village_profile_update(changes={}, logo=png_upload())
    # when
    login_a = client_for(cast.village_a).get("/masuk/").content.decode()
    staff_a = client_for(cast.village_a, user=cast.alice).get("/kantor/").content.decode()
    login_b = client_for(cast.village_b).get("/masuk/").content.decode()
    # then
    header_logo = r'class="brand"><img src="/media/villages/{}/logo/[^"]+" alt=""'
    assert re.search(header_logo.format(cast.village_a.schema_name), login_a)
    assert re.search(header_logo.format(cast.village_a.schema_name), staff_a)
    assert "brand-logo" not in login_b


def test_the_kepala_desa_edits_the_profile_and_uploads_a_logo(cast, media_root):
    client = client_for(cast.village_a, user=cast.alice)
    form = client.get("/kantor/profil/")
    assert form.status_code == 200
    response = client.post(
        "/kantor/profil/",
        {
            "head_title": "Kepala Kampung",
            "secretary_title": "Sekretaris Kampung",
            "address": "Jl. Baru 2",
            "phone": "0721-123",
            "service_hours": "Senin-Jumat",
            "logo": png_upload("logo.png"),
        },
    )
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        profile = VillageProfile.objects.get(id=1)
        assert profile.address == "Jl. Baru 2"
        assert profile.logo.startswith(f"villages/{cast.village_a.schema_name}/logo/")
    home = client_for(cast.village_a).get("/").content.decode()
    assert "Jl. Baru 2" in home and "/logo/" in home


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"latitude": "-4.5"}, "Lokasi perlu lintang dan bujur sekaligus."),
        ({"latitude": "95", "longitude": "104"}, "Lintang harus antara -90 dan 90."),
        ({"email": "bukan-email"}, "Masukkan alamat email dengan format yang benar."),
        ({"logo": "bad"}, "Berkas bukan gambar JPEG, PNG atau WebP."),
    ],
)
def test_the_profile_editor_refuses_bad_input_and_writes_nothing(
    cast, media_root, data, field_error
):
    if data.get("logo") == "bad":
        data["logo"] = not_an_image()
    response = client_for(cast.village_a, user=cast.alice).post(
        "/kantor/profil/",
        {"head_title": "Kepala Kampung", "secretary_title": "Sekdes", "address": "Tidak", **data},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert field_error in page
    with schema_context(cast.village_a.schema_name):
        profile = VillageProfile.objects.get(id=1)
        assert profile.address != "Tidak" and profile.logo == ""


def test_an_operator_may_not_edit_the_profile_or_officials(cast):
    bob = client_for(cast.village_b, user=cast.bob)
    assert bob.get("/kantor/profil/").status_code == 403
    assert (
        bob.post("/kantor/profil/", {"head_title": "X", "secretary_title": "Y"}).status_code == 403
    )
    assert bob.post("/kantor/perangkat/", {"name": "X", "position": "Y"}).status_code == 403
    with schema_context(cast.village_b.schema_name):
        assert VillageProfile.objects.get(id=1).head_title != "X"
        assert not Official.objects.filter(name="X").exists()


def test_officials_are_added_edited_hidden_and_removed(cast, media_root):
    client = client_for(cast.village_a, user=cast.alice)
    response = client.post(
        "/kantor/perangkat/",
        {
            "name": "Bu Rina",
            "position": "Sekretaris",
            "order": "2",
            "active": "on",
            "photo": png_upload(),
        },
    )
    assert response.status_code == 302
    with schema_context(cast.village_a.schema_name):
        official = Official.objects.get(name="Bu Rina")
        assert official.photo.startswith(f"villages/{cast.village_a.schema_name}/officials/")
    assert "Bu Rina" in client_for(cast.village_a).get("/").content.decode()
    # hidden from the home when not active
    response = client.post(
        f"/kantor/perangkat/{official.pk}/", {"name": "Bu Rina", "position": "Sekdes", "order": "1"}
    )
    assert response.status_code == 302
    assert "Bu Rina" not in client_for(cast.village_a).get("/").content.decode()
    assert client.post(f"/kantor/perangkat/{official.pk}/hapus/").status_code == 302
    assert count_in_a(cast, Official, name="Bu Rina") == 0


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"name": "", "position": "Kaur"}, "Nama wajib diisi."),
        ({"name": "Andi", "position": " "}, "Jabatan wajib diisi."),
        (
            {"name": "Andi", "position": "Kaur", "order": "-1"},
            "lebih besar dari atau sama dengan 0",
        ),
        ({"name": "Andi", "position": "Kaur", "photo": "bad"}, "Berkas bukan gambar"),
    ],
)
def test_the_officials_form_refuses_bad_input_and_writes_nothing(
    cast, media_root, data, field_error
):
    if data.get("photo") == "bad":
        data["photo"] = not_an_image()
    data.setdefault("order", "0")
    before = count_in_a(cast, Official)
    response = client_for(cast.village_a, user=cast.alice).post("/kantor/perangkat/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert field_error in page
    assert count_in_a(cast, Official) == before


# -- staff: APBDes -----------------------------------------------------------------------------


def test_staff_enter_a_budget_line_typed_the_indonesian_way(cast):
    year = timezone.localdate().year
    client = client_for(cast.village_b, user=cast.bob)
    assert client.get("/kantor/anggaran/").status_code == 200
    response = client.post(
        f"/kantor/anggaran/{year}/baris/",
        {
            "kind": "belanja",
            "sector": "pembangunan",
            "description": "Rabat beton",
            "budget": "1.250.000,50",
            "realised": "1.000.000",
        },
    )
    assert response.status_code == 302
    with schema_context(cast.village_b.schema_name):
        line = BudgetLine.objects.get(description="Rabat beton")
        assert line.budget == Decimal("1250000.50") and line.realised == Decimal("1000000")
    assert "Rp 1.250.000,50" in client_for(cast.village_b).get("/anggaran/").content.decode()


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"budget": "100", "realised": "200"}, "melebihi anggaran"),
        ({"budget": "-5"}, "tidak boleh negatif"),
        ({"budget": "sepuluh"}, "bukan angka"),
        ({"budget": "100", "description": ""}, "Uraian wajib diisi."),
        ({"budget": "100", "kind": "pendapatan", "sector": "pembangunan"}, "tidak dikenal"),
    ],
)
def test_the_budget_form_refuses_bad_input_and_writes_nothing(cast, data, field_error):
    year = timezone.localdate().year
    form = {"kind": "belanja", "sector": "pembangunan", "description": "Uji", **data}
    response = client_for(cast.village_a, user=cast.alice).post(
        f"/kantor/anggaran/{year}/baris/", form
    )
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert count_in_a(cast, BudgetLine) == 0


def test_staff_edit_and_delete_a_budget_line(cast):
    budget_line(cast, "belanja", "pembangunan", "1000", "100")
    year = timezone.localdate().year
    with schema_context(cast.village_a.schema_name):
        line = BudgetLine.objects.get()
    client = client_for(cast.village_a, user=cast.alice)
    url = f"/kantor/anggaran/{year}/baris/{line.pk}/"
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "kind": "belanja",
            "sector": "pembangunan",
            "description": "x",
            "budget": "1000",
            "realised": "5000",
        },
    )
    assert bad.status_code == 400
    good = client.post(
        url,
        {
            "kind": "belanja",
            "sector": "pembangunan",
            "description": "x",
            "budget": "1000",
            "realised": "900",
        },
    )
    assert good.status_code == 302
    with schema_context(cast.village_a.schema_name):
        assert BudgetLine.objects.get(pk=line.pk).realised == Decimal("900")
    assert client.post(f"{url}hapus/").status_code == 302
    assert count_in_a(cast, BudgetLine) == 0


def test_staff_import_the_budget_workbook_or_get_its_errors(cast):
    year = timezone.localdate().year
    client = client_for(cast.village_a, user=cast.alice)
    template = SimpleUploadedFile("apbdes.xlsx", workbook.template_build())
    response = client.post(f"/kantor/anggaran/{year}/impor/", {"file": template})
    assert response.status_code == 302
    assert count_in_a(cast, BudgetLine) == len(workbook.EXAMPLE_LINES)
    broken = SimpleUploadedFile("apbdes.xlsx", b"not a workbook")
    response = client.post(f"/kantor/anggaran/{year}/impor/", {"file": broken})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert count_in_a(cast, BudgetLine) == len(workbook.EXAMPLE_LINES)


def test_a_resident_cannot_reach_the_staff_editors(cast):
    client = client_for(cast.village_a)
    client.post(
        "/masuk/",
        {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
    )
    for path in ("/kantor/berita/", "/kantor/profil/", "/kantor/perangkat/", "/kantor/anggaran/"):
        assert client.get(path).status_code == 403
    assert client.post("/kantor/berita/baru/", {"kind": "berita", "title": "X"}).status_code == 403
    assert count_in_a(cast, Article, kind=ArticleKind.NEWS, title="X") == 0


def test_the_home_and_the_budget_page_speak_english_after_the_switch(cast):
    budget_line(cast, "belanja", "pembangunan", "1000", "500")
    client = client_for(cast.village_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    home = client.get("/").content.decode()
    assert "Latest news" in home and "Spending realised" in home
    budget = client.get("/anggaran/").content.decode()
    assert "Village development" in budget and "Spending by field" in budget
