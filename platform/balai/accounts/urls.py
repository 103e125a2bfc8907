from django.urls import path

from balai.accounts import views

urlpatterns = [
    path("resident/login/", views.ResidentLoginView.as_view(), name="resident-login"),
    path("staff/login/", views.StaffLoginView.as_view(), name="staff-login"),
    path("whoami/", views.WhoAmIView.as_view(), name="whoami"),
]
