"""Pages of the village host for this area; included at the root of balai.urls_village.

The office's own /kantor/ (staff-dashboard) and /warga/ (resident-home) stay routed in
balai.urls_village, to frontend.village_pages, which builds them from frontend.office_pages.
"""

from django.urls import path

from frontend import office_pages

urlpatterns = [
    path("kantor/staf/", office_pages.staff_members, name="page-staff-members"),
    path(
        "kantor/staf/<int:membership_id>/peran/",
        office_pages.staff_member_role,
        name="page-staff-member-role",
    ),
    path(
        "kantor/staf/<int:membership_id>/keluarkan/",
        office_pages.staff_member_delete,
        name="page-staff-member-remove",
    ),
    path("kantor/audit/", office_pages.audit_log, name="page-audit-log"),
    path("kantor/statistik/", office_pages.statistics, name="page-statistics"),
]
