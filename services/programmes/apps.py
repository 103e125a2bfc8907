from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    """Smart People of one village: its training and digital-literacy programmes with
    registration, waiting list, attendance and certificates, and its own learning materials.
    TENANT app: lives in each village schema.

    Kecamatan programmes and shared materials live in the public schema (balai.learning);
    this app's API also serves them to the village's residents on the village host.
    """

    name = "services.programmes"
    label = "programmes"
    verbose_name = "Program pelatihan desa"
