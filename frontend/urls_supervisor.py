"""Supervisor pages, included under /pengawas/ on the public host."""

from django.urls import path

from frontend import supervisor_pages as pages

urlpatterns = [
    path("", pages.dashboard, name="supervisor-dashboard"),
    path("desa/", pages.village_list, name="supervisor-village-list"),
]
