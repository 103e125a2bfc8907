"""Pages of the village site (public home, news, budget) and its staff editors; included at
the root of balai.urls_village. The home itself ("" named village-home) stays first in
balai.urls_village and points at frontend.site_pages.village_home."""

from django.urls import path

from frontend import site_pages as pages

urlpatterns = [
    path("berita/", pages.news_list, name="page-news-list"),
    path("berita/feed/", pages.news_feed, name="page-news-feed"),
    path("berita/<slug:slug>/", pages.article_detail, name="page-article"),
    path("pengumuman/", pages.announcement_list, name="page-announcement-list"),
    path("anggaran/", pages.budget_page, name="page-budget"),
    path("kantor/berita/", pages.staff_news, name="page-staff-news"),
    path("kantor/berita/baru/", pages.staff_news_new, name="page-staff-news-new"),
    path("kantor/berita/<int:pk>/", pages.staff_news_edit, name="page-staff-news-edit"),
    path(
        "kantor/berita/<int:pk>/terbitkan/",
        pages.staff_news_publish,
        name="page-staff-news-publish",
    ),
    path(
        "kantor/berita/<int:pk>/tarik/",
        pages.staff_news_unpublish,
        name="page-staff-news-unpublish",
    ),
    path("kantor/berita/<int:pk>/hapus/", pages.staff_news_delete, name="page-staff-news-delete"),
    path("kantor/profil/", pages.staff_profile, name="page-staff-profile"),
    path("kantor/perangkat/", pages.staff_officials, name="page-staff-officials"),
    path("kantor/perangkat/<int:pk>/", pages.staff_official_edit, name="page-staff-official-edit"),
    path(
        "kantor/perangkat/<int:pk>/hapus/",
        pages.staff_official_delete,
        name="page-staff-official-delete",
    ),
    path("kantor/anggaran/", pages.staff_budget, name="page-staff-budget"),
    path(
        "kantor/anggaran/<int:year>/baris/",
        pages.staff_budget_line_new,
        name="page-staff-budget-line-new",
    ),
    path(
        "kantor/anggaran/<int:year>/baris/<int:line_id>/",
        pages.staff_budget_line_edit,
        name="page-staff-budget-line",
    ),
    path(
        "kantor/anggaran/<int:year>/baris/<int:line_id>/hapus/",
        pages.staff_budget_line_delete,
        name="page-staff-budget-line-delete",
    ),
    path(
        "kantor/anggaran/<int:year>/impor/",
        pages.staff_budget_import,
        name="page-staff-budget-import",
    ),
]
