"""Pages of the village host for this area; included at the root of balai.urls_village.

The public QR verification page is services.letters' own, at /surat/verifikasi/<token>/.
"""

from django.urls import path

from frontend import letters_pages as pages

urlpatterns = [
    path("warga/surat/", pages.my_letters, name="page-my-letters"),
    path("warga/surat/baru/", pages.letter_request_choose, name="page-letter-request"),
    path(
        "warga/surat/baru/<slug:code>/",
        pages.letter_request_form,
        name="page-letter-request-form",
    ),
    path("warga/surat/<int:pk>/", pages.my_letter_detail, name="page-my-letter-detail"),
    path("warga/surat/<int:pk>/pdf/", pages.my_letter_pdf, name="page-my-letter-pdf"),
    path(
        "warga/surat/<int:pk>/ajukan-ulang/",
        pages.my_letter_resubmit,
        name="page-my-letter-resubmit",
    ),
    path("warga/surat/<int:pk>/batal/", pages.my_letter_cancel, name="page-my-letter-cancel"),
    path("kantor/surat/", pages.letter_queue, name="page-letter-queue"),
    path("kantor/surat/arsip/", pages.letter_archive, name="page-letter-archive"),
    path("kantor/surat/baru/", pages.letter_counter, name="page-letter-counter"),
    path(
        "kantor/surat/baru/<int:resident_id>/",
        pages.letter_counter_choose,
        name="page-letter-counter-choose",
    ),
    path(
        "kantor/surat/baru/<int:resident_id>/<slug:code>/",
        pages.letter_counter_form,
        name="page-letter-counter-form",
    ),
    path("kantor/surat/pengaturan/", pages.letter_settings, name="page-letter-settings"),
    path("kantor/surat/templat/", pages.letter_templates, name="page-letter-templates"),
    path(
        "kantor/surat/templat/<slug:code>/",
        pages.letter_template_edit,
        name="page-letter-template-edit",
    ),
    path(
        "kantor/surat/templat/<slug:code>/isian/",
        pages.letter_fields_edit,
        name="page-letter-fields-edit",
    ),
    path(
        "kantor/surat/templat/<slug:code>/pratinjau/",
        pages.letter_template_preview,
        name="page-letter-template-preview",
    ),
    path("kantor/surat/<int:pk>/", pages.letter_detail, name="page-letter-detail"),
    path("kantor/surat/<int:pk>/pdf/", pages.letter_pdf, name="page-letter-pdf"),
    path(
        "kantor/surat/<int:pk>/langkah/<slug:action>/",
        pages.letter_action,
        name="page-letter-action",
    ),
]
