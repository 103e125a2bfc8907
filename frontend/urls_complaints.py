"""Pages of the village host for this area; included at the root of balai.urls_village."""

from django.urls import path

from frontend import complaints_pages as complaints
from frontend import notifications_pages as notifications

urlpatterns = [
    path("pengaduan/", complaints.complaint_file_page, name="page-complaint-file"),
    path("pengaduan/terkirim/", complaints.complaint_filed_page, name="page-complaint-filed"),
    path("pengaduan/lacak/", complaints.complaint_track_page, name="page-complaint-track"),
    path("warga/pengaduan/", complaints.my_complaints_page, name="page-my-complaints"),
    path("kantor/pengaduan/", complaints.complaint_queue_page, name="page-complaint-queue"),
    path(
        "kantor/pengaduan/pengaturan/",
        complaints.complaint_settings_page,
        name="page-complaint-settings",
    ),
    path(
        "kantor/pengaduan/pengaturan/simpan/",
        complaints.complaint_settings_save_page,
        name="page-complaint-settings-save",
    ),
    path(
        "kantor/pengaduan/<str:code>/",
        complaints.complaint_staff_detail_page,
        name="page-complaint-staff-detail",
    ),
    path(
        "kantor/pengaduan/<str:code>/tugaskan/",
        complaints.complaint_assign_page,
        name="page-complaint-assign",
    ),
    path(
        "kantor/pengaduan/<str:code>/tanggapi/",
        complaints.complaint_reply_page,
        name="page-complaint-reply",
    ),
    path(
        "kantor/pengaduan/<str:code>/status/",
        complaints.complaint_status_page,
        name="page-complaint-status",
    ),
    path(
        "kantor/pengaduan/<str:code>/tolak/",
        complaints.complaint_reject_page,
        name="page-complaint-reject",
    ),
    path(
        "kantor/pengaduan/<str:code>/gabungkan/",
        complaints.complaint_merge_page,
        name="page-complaint-merge",
    ),
    path(
        "kantor/pengaduan/<str:code>/visibilitas/",
        complaints.complaint_visibility_page,
        name="page-complaint-visibility",
    ),
    path("warga/notifikasi/", notifications.inbox_page, name="page-notification-inbox"),
    path(
        "warga/notifikasi/<int:item_id>/dibaca/",
        notifications.inbox_read_page,
        name="page-notification-read",
    ),
    path(
        "warga/notifikasi/pengaturan/",
        notifications.preferences_page,
        name="page-notification-preferences",
    ),
    path("kantor/notifikasi/", notifications.message_log_page, name="page-notification-log"),
    path(
        "kantor/notifikasi/<int:message_id>/kirim-ulang/",
        notifications.message_retry_page,
        name="page-notification-retry",
    ),
]
