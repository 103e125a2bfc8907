from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper


class Listing(models.Model):
    """One published product of one village, copied from the village schema by a worker.

    Only what a buyer sees: no resident data beyond the business's public WhatsApp contact.
    The pair (village_code, product_id) is the key the worker upserts on.
    """

    village_code = models.CharField(max_length=13)
    kecamatan_code = models.CharField(max_length=8)
    kabupaten_code = models.CharField(max_length=5)
    village_name = models.CharField(max_length=120)
    village_slug = models.SlugField(max_length=63)
    village_host = models.CharField(max_length=253)
    product_id = models.BigIntegerField()
    business_id = models.BigIntegerField()
    name = models.CharField(max_length=120)
    price = models.DecimalField(max_digits=14, decimal_places=2)
    unit = models.CharField(max_length=10)
    category = models.CharField(max_length=12)
    stock = models.CharField(max_length=10)
    thumbnail_url = models.CharField(max_length=400, blank=True, default="")
    business_name = models.CharField(max_length=120)
    contact_url = models.CharField(max_length=600)
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village_code", "product_id"], name="listing_village_product_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["kecamatan_code", "name"], name="listing_kecamatan_name"),
            models.Index(fields=["kabupaten_code", "name"], name="listing_kabupaten_name"),
            # Django's icontains compiles to UPPER(name) LIKE UPPER(%q%): a trigram index on
            # exactly that expression serves the search without a sequential scan.
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="listing_name_trgm_upper"),
        ]
        ordering = ["name", "village_code", "product_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.village_code})"


class VillageEconomySummary(models.Model):
    """Per-village figures for supervisors, written by the same worker as the listings."""

    village_code = models.CharField(max_length=13, primary_key=True)
    kecamatan_code = models.CharField(max_length=8, db_index=True)
    kabupaten_code = models.CharField(max_length=5, db_index=True)
    village_name = models.CharField(max_length=120)
    businesses_verified = models.PositiveIntegerField(default=0)
    businesses_total = models.PositiveIntegerField(default=0)
    products_listed = models.PositiveIntegerField(default=0)
    bumdes_year = models.PositiveSmallIntegerField(null=True, blank=True)
    bumdes_revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    bumdes_profit = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["village_code"]

    def __str__(self) -> str:
        return f"economy of {self.village_code}"
