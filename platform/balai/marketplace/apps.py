from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    """The cross-village product catalog and per-village economy figures. SHARED app: its
    tables live in the public schema.

    Villages publish into these tables through a worker (services.economy.tasks); requests on
    the public host read only these tables and never a village schema.
    """

    name = "balai.marketplace"
    label = "marketplace"
    verbose_name = "Katalog antar desa"
