from django.urls import path

from services.notifications import views

urlpatterns = [
    path("messages/", views.MessageLogView.as_view(), name="notifications-messages"),
    path("inbox/", views.InboxView.as_view(), name="notifications-inbox"),
    path("inbox/<int:item_id>/read/", views.InboxReadView.as_view(), name="notifications-read"),
    path("preferences/", views.PreferenceView.as_view(), name="notifications-preferences"),
    path("templates/<str:key>/", views.TemplateView.as_view(), name="notifications-template"),
    path("receipts/<slug:provider>/", views.ReceiptView.as_view(), name="notifications-receipt"),
]
