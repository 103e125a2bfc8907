from django.urls import path

from services.letters import views

urlpatterns = [
    path("", views.LetterListView.as_view(), name="letter-list"),
    path("types/", views.LetterTypeListView.as_view(), name="letter-type-list"),
    path("types/<slug:code>/", views.LetterTypeDetailView.as_view(), name="letter-type-detail"),
    path(
        "types/<slug:code>/preview/",
        views.LetterTypePreviewView.as_view(),
        name="letter-type-preview",
    ),
    path("settings/", views.LetterSettingsView.as_view(), name="letter-settings"),
    path("stats/", views.LetterStatsView.as_view(), name="letter-stats"),
    path("mine/", views.MyLetterListView.as_view(), name="letter-mine"),
    path("mine/<int:letter_id>/", views.MyLetterDetailView.as_view(), name="letter-mine-detail"),
    path("mine/<int:letter_id>/pdf/", views.MyLetterPdfView.as_view(), name="letter-mine-pdf"),
    path(
        "mine/<int:letter_id>/<slug:action>/",
        views.MyLetterActionView.as_view(),
        name="letter-mine-action",
    ),
    path("<int:letter_id>/", views.LetterDetailView.as_view(), name="letter-detail"),
    path("<int:letter_id>/pdf/", views.LetterPdfView.as_view(), name="letter-pdf"),
    path("<int:letter_id>/<slug:action>/", views.LetterActionView.as_view(), name="letter-action"),
]
