from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Background import and export jobs of a village (resident register files).

    TENANT app: a job, its uploaded file and its report live in the village schema beside
    the records they touch, so no job of one village is ever visible from another.
    """

    name = "services.imports"
    label = "imports"
    verbose_name = "Impor dan ekspor"
