from django.urls import path

from services.news import views

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="news-list"),
    path("feed/", views.NewsFeedView.as_view(), name="news-feed"),
    path("categories/", views.CategoryListView.as_view(), name="news-categories"),
    path("<slug:slug>/", views.ArticleDetailView.as_view(), name="news-detail"),
    path("<slug:slug>/publish/", views.ArticlePublishView.as_view(), name="news-publish"),
    path("<slug:slug>/unpublish/", views.ArticleUnpublishView.as_view(), name="news-unpublish"),
]
