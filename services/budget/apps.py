from django.apps import AppConfig


class BudgetConfig(AppConfig):
    """The village budget (APBDes): yearly budget and realisation lines.

    TENANT app: lives in each village schema.
    """

    name = "services.budget"
    label = "budget"
    verbose_name = "APBDes"
