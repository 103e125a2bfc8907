from django.apps import AppConfig


class LearningConfig(AppConfig):
    """Smart People across villages. SHARED app: its tables live in the public schema.

    Holds what spans villages: kecamatan programmes with their registrations (one row per
    resident per programme, keyed by village code + resident id), the learning materials
    shared by every village, and the per-village digital-adoption figures that a worker
    writes (services.programmes.tasks) so supervisors never read a village schema per request.
    The programme and registration rules shared with village programmes are in
    balai.learning.seating and balai.learning.validation.
    """

    name = "balai.learning"
    label = "learning"
    verbose_name = "Pelatihan dan literasi digital"
