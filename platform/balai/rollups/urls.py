from django.urls import path

from balai.rollups import views

urlpatterns = [
    path("totals/", views.RegionTotalsView.as_view(), name="rollups-totals"),
    path("trend/", views.RegionTrendView.as_view(), name="rollups-trend"),
    path("villages/", views.VillageTableView.as_view(), name="rollups-villages"),
    path("villages.xlsx", views.VillageTableExportView.as_view(), name="rollups-export"),
    path("overdue-complaints/", views.OverdueComplaintsView.as_view(), name="rollups-overdue"),
    path("runs/", views.RollupRunListView.as_view(), name="rollups-runs"),
]
