from django.apps import AppConfig


class EconomyConfig(AppConfig):
    """Smart Economy of one village: UMKM businesses, their products (lapak), the BUMDes and
    the village's potential. TENANT app: lives in each village schema.

    What other villages and the public host need (the cross-village catalog, supervisors'
    figures) is published by a worker into balai.marketplace's public-schema tables.
    """

    name = "services.economy"
    label = "economy"
    verbose_name = "Ekonomi desa"
