from django.apps import AppConfig


class TenantsConfig(AppConfig):
    """Village tenants, their domains, routing and schema provisioning.

    SHARED app: every table lives in the public schema.
    """

    name = "tenants"
    verbose_name = "Desa (tenant)"
