from django.urls import path

from services.complaints import views

urlpatterns = [
    path("", views.ComplaintListCreateView.as_view(), name="complaints"),
    path("categories/", views.CategoryListView.as_view(), name="complaint-categories"),
    path("settings/", views.ComplaintSettingsView.as_view(), name="complaint-settings"),
    path("media/<str:name>", views.photo_view, name="complaint-photo"),
    path("track/<str:code>/", views.ComplaintTrackView.as_view(), name="complaint-track"),
    path("<str:code>/", views.ComplaintDetailView.as_view(), name="complaint-detail"),
    path("<str:code>/status/", views.ComplaintStatusView.as_view(), name="complaint-status"),
    path("<str:code>/reply/", views.ComplaintReplyView.as_view(), name="complaint-reply"),
    path("<str:code>/assign/", views.ComplaintAssignView.as_view(), name="complaint-assign"),
    path("<str:code>/merge/", views.ComplaintMergeView.as_view(), name="complaint-merge"),
    path(
        "<str:code>/visibility/",
        views.ComplaintVisibilityView.as_view(),
        name="complaint-visibility",
    ),
]
