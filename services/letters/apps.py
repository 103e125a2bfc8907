from django.apps import AppConfig


class LettersConfig(AppConfig):
    """Letters (layanan surat): types, requests, numbering, signed PDFs. TENANT app.

    Everything lives in the village schema: the letters hold residents' personal data,
    and numbering is per village.
    """

    name = "services.letters"
    label = "letters"
    verbose_name = "Layanan surat"
