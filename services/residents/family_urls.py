from django.urls import path

from services.residents import views

urlpatterns = [
    path("", views.FamilyListView.as_view(), name="family-list"),
    path("<int:pk>/", views.FamilyDetailView.as_view(), name="family-detail"),
    path("<int:pk>/members/", views.FamilyMembersView.as_view(), name="family-members"),
    path("<int:pk>/head/", views.FamilyHeadView.as_view(), name="family-head"),
]
