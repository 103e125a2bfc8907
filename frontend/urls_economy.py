"""Pages of the village host for this area; included at the root of balai.urls_village."""

from django.urls import path

from frontend import economy_pages as pages

urlpatterns = [
    path("umkm/", pages.umkm_list, name="page-umkm-list"),
    path("umkm/<int:pk>/", pages.umkm_detail, name="page-umkm-detail"),
    path("produk/", pages.product_catalog, name="page-product-catalog"),
    path("bumdes/", pages.bumdes_page, name="page-bumdes"),
    path("potensi/", pages.potential_page, name="page-potential"),
    path("warga/usaha/", pages.my_businesses, name="page-my-business"),
    path("warga/usaha/baru/", pages.my_business_new, name="page-my-business-new"),
    path("warga/usaha/<int:pk>/", pages.my_business_detail, name="page-my-business-detail"),
    path("warga/usaha/<int:pk>/foto/", pages.my_business_photos, name="page-my-business-photos"),
    path("warga/usaha/<int:pk>/ajukan/", pages.my_business_submit, name="page-my-business-submit"),
    path("warga/usaha/<int:pk>/produk/baru/", pages.my_product_new, name="page-my-product-new"),
    path("warga/usaha/produk/<int:pk>/", pages.my_product_edit, name="page-my-product-edit"),
    path(
        "warga/usaha/produk/<int:pk>/foto/", pages.my_product_photos, name="page-my-product-photos"
    ),
    path(
        "warga/usaha/produk/<int:pk>/hapus/",
        pages.my_product_delete,
        name="page-my-product-delete",
    ),
    path(
        "warga/usaha/<int:pk>/foto/<int:index>/hapus/",
        pages.my_business_photo_delete,
        name="page-my-business-photo-delete",
    ),
    path(
        "warga/usaha/produk/<int:pk>/foto/<int:index>/hapus/",
        pages.my_product_photo_delete,
        name="page-my-product-photo-delete",
    ),
    path("kantor/ekonomi/", pages.staff_economy, name="page-staff-economy"),
    path("kantor/ekonomi/usaha/baru/", pages.staff_business_new, name="page-staff-business-new"),
    path(
        "kantor/ekonomi/usaha/<int:pk>/verifikasi/",
        pages.staff_business_verify,
        name="page-staff-business-verify",
    ),
    path(
        "kantor/ekonomi/usaha/<int:pk>/tolak/",
        pages.staff_business_reject,
        name="page-staff-business-reject",
    ),
    path("kantor/ekonomi/produk/", pages.staff_products, name="page-staff-products"),
    path(
        "kantor/ekonomi/produk/<int:pk>/sembunyikan/",
        pages.staff_product_hide,
        name="page-staff-product-hide",
    ),
    path(
        "kantor/ekonomi/produk/<int:pk>/tampilkan/",
        pages.staff_product_unhide,
        name="page-staff-product-unhide",
    ),
    path("kantor/ekonomi/bumdes/", pages.staff_bumdes, name="page-staff-bumdes"),
    path(
        "kantor/ekonomi/bumdes/unit/<int:pk>/",
        pages.staff_bumdes_unit_edit,
        name="page-staff-bumdes-unit-edit",
    ),
    path(
        "kantor/ekonomi/bumdes/unit/<int:pk>/hapus/",
        pages.staff_bumdes_unit_delete,
        name="page-staff-bumdes-unit-delete",
    ),
    path("kantor/ekonomi/potensi/", pages.staff_potential, name="page-staff-potential"),
    path(
        "kantor/ekonomi/potensi/<int:pk>/ubah/",
        pages.staff_potential_edit,
        name="page-staff-potential-edit",
    ),
    path(
        "kantor/ekonomi/potensi/<int:pk>/hapus/",
        pages.staff_potential_delete,
        name="page-staff-potential-delete",
    ),
]
