from django.urls import path

from services.economy import views

urlpatterns = [
    path("catalog/", views.CatalogView.as_view(), name="economy-catalog"),
    path(
        "public/businesses/",
        views.PublicBusinessListView.as_view(),
        name="economy-public-businesses",
    ),
    path("bumdes/", views.BumdesView.as_view(), name="economy-bumdes"),
    path("bumdes/units/", views.BumdesUnitCreateView.as_view(), name="economy-bumdes-units"),
    path(
        "bumdes/units/<int:unit_id>/years/<int:year>/",
        views.BumdesUnitYearView.as_view(),
        name="economy-bumdes-unit-year",
    ),
    path("potentials/", views.PotentialListView.as_view(), name="economy-potentials"),
    path(
        "potentials/<int:potential_id>/",
        views.PotentialDetailView.as_view(),
        name="economy-potential",
    ),
    path("businesses/", views.BusinessListView.as_view(), name="economy-businesses"),
    path(
        "businesses/<int:business_id>/",
        views.BusinessDetailView.as_view(),
        name="economy-business",
    ),
    path(
        "businesses/<int:business_id>/submit/",
        views.BusinessSubmitView.as_view(),
        name="economy-business-submit",
    ),
    path(
        "businesses/<int:business_id>/verify/",
        views.BusinessVerifyView.as_view(),
        name="economy-business-verify",
    ),
    path(
        "businesses/<int:business_id>/reject/",
        views.BusinessRejectView.as_view(),
        name="economy-business-reject",
    ),
    path(
        "businesses/<int:business_id>/photos/",
        views.BusinessPhotosView.as_view(),
        name="economy-business-photos",
    ),
    path(
        "businesses/<int:business_id>/products/",
        views.BusinessProductsView.as_view(),
        name="economy-business-products",
    ),
    path("products/", views.ProductListView.as_view(), name="economy-products"),
    path("products/<int:product_id>/", views.ProductDetailView.as_view(), name="economy-product"),
    path(
        "products/<int:product_id>/photos/",
        views.ProductPhotosView.as_view(),
        name="economy-product-photos",
    ),
    path(
        "products/<int:product_id>/hide/",
        views.ProductHideView.as_view(),
        name="economy-product-hide",
    ),
    path(
        "products/<int:product_id>/unhide/",
        views.ProductUnhideView.as_view(),
        name="economy-product-unhide",
    ),
]
