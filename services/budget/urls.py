from django.urls import path

from services.budget import views

urlpatterns = [
    path("", views.BudgetYearListView.as_view(), name="budget-years"),
    path("template.xlsx", views.BudgetTemplateView.as_view(), name="budget-template"),
    path("<int:year>/", views.BudgetSummaryView.as_view(), name="budget-summary"),
    path("<int:year>/lines/", views.BudgetLineListView.as_view(), name="budget-lines"),
    path(
        "<int:year>/lines/<int:line_id>/",
        views.BudgetLineDetailView.as_view(),
        name="budget-line",
    ),
    path("<int:year>/import/", views.BudgetImportView.as_view(), name="budget-import"),
]
