"""Public pages of the letters service on the village host (no login)."""

from django.urls import path

from services.letters import views

urlpatterns = [
    path("<str:token>/", views.verification_page, name="letter-verification"),
    path(
        "<str:token>/json/", views.VerificationJsonView.as_view(), name="letter-verification-json"
    ),
]
