from django.urls import path

from services.residents import views

urlpatterns = [
    path("", views.EventListView.as_view(), name="population-event-list"),
]
