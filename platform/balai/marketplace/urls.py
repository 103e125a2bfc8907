from django.urls import path

from balai.marketplace import views

urlpatterns = [
    path("catalog/", views.CatalogView.as_view(), name="marketplace-catalog"),
    path(
        "supervisor/economy/",
        views.SupervisorEconomyView.as_view(),
        name="supervisor-economy",
    ),
]
