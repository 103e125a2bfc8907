from django.urls import path

from services.residents import views

urlpatterns = [
    path("", views.ResidentListView.as_view(), name="resident-list"),
    path("me/", views.ResidentMeView.as_view(), name="resident-me"),
]
