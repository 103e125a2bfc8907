from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    """Complaints and service requests (pengaduan). TENANT app: lives in each village schema.

    The only public-schema trace of a complaint is its escalation row
    (balai.supervision.models.ComplaintEscalation), written by the escalation task with
    ids, codes and times and no personal data.
    """

    name = "services.complaints"
    label = "complaints"
    verbose_name = "Pengaduan"
