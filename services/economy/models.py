from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Photos are stored as paths relative to MEDIA_ROOT (villages/<schema>/economy/<random>.jpg),
# written by services.village.images after Pillow has re-encoded them.
PRODUCT_PHOTO_LIMIT = 3
BUSINESS_PHOTO_LIMIT = 6
POTENTIAL_PHOTO_LIMIT = 6


def _photo_list(limit: int) -> ArrayField:
    return ArrayField(models.CharField(max_length=200), size=limit, default=list, blank=True)


class Sector(models.TextChoices):
    PERTANIAN = "pertanian", _("Pertanian")
    PERKEBUNAN = "perkebunan", _("Perkebunan (karet, sawit, singkong)")
    PETERNAKAN = "peternakan", _("Peternakan")
    PERIKANAN = "perikanan", _("Perikanan")
    KULINER = "kuliner", _("Kuliner")
    KERAJINAN = "kerajinan", _("Kerajinan")
    PERDAGANGAN = "perdagangan", _("Perdagangan")
    JASA = "jasa", _("Jasa")
    PARIWISATA = "pariwisata", _("Pariwisata")
    LAINNYA = "lainnya", _("Lainnya")


class BusinessStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Diajukan")
    VERIFIED = "verified", _("Terverifikasi")
    REJECTED = "rejected", _("Ditolak")


class Business(models.Model):
    """A resident's micro or small business (UMKM). Public only once staff verified it."""

    owner = models.ForeignKey(
        "residents.Resident", on_delete=models.PROTECT, related_name="businesses"
    )
    name = models.CharField(max_length=120)
    sector = models.CharField(max_length=12, choices=Sector.choices)
    # Nomor Induk Berusaha from OSS: 13 digits, only when the business has one.
    nib = models.CharField(max_length=13, blank=True, default="")
    rt = models.ForeignKey(
        "village.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="businesses"
    )
    address = models.CharField(max_length=255, blank=True, default="")
    # The business's public contact: an Indonesian mobile number stored as 62...
    whatsapp = models.CharField(max_length=15)
    description = models.TextField(blank=True, default="")
    photos = _photo_list(BUSINESS_PHOTO_LIMIT)
    status = models.CharField(
        max_length=10, choices=BusinessStatus.choices, default=BusinessStatus.DRAFT, db_index=True
    )
    rejection_reason = models.CharField(max_length=300, blank=True, default="")
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nib="") | Q(nib__regex=r"^[0-9]{13}$"), name="business_nib_format"
            ),
            models.CheckConstraint(
                condition=Q(whatsapp__regex=r"^628[0-9]{7,11}$"), name="business_whatsapp_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.TextChoices):
    KG = "kg", _("kg")
    GRAM = "gram", _("gram")
    BUAH = "buah", _("buah")
    IKAT = "ikat", _("ikat")
    LITER = "liter", _("liter")
    PAKET = "paket", _("paket")
    BUNGKUS = "bungkus", _("bungkus")
    KARUNG = "karung", _("karung")
    EKOR = "ekor", _("ekor")
    PORSI = "porsi", _("porsi")
    JASA = "jasa", _("jasa")


class ProductCategory(models.TextChoices):
    HASIL_TANI = "hasil_tani", _("Hasil tani")
    HASIL_KEBUN = "hasil_kebun", _("Hasil kebun")
    TERNAK = "ternak", _("Ternak dan hasilnya")
    IKAN = "ikan", _("Ikan")
    MAKANAN = "makanan", _("Makanan dan minuman")
    KERAJINAN = "kerajinan", _("Kerajinan")
    KEBUTUHAN = "kebutuhan", _("Kebutuhan sehari-hari")
    JASA = "jasa", _("Jasa")
    WISATA = "wisata", _("Wisata")
    LAINNYA = "lainnya", _("Lainnya")


class StockStatus(models.TextChoices):
    TERSEDIA = "tersedia", _("Tersedia")
    HABIS = "habis", _("Habis")
    PRE_ORDER = "pre_order", _("Pre-order")


class Product(models.Model):
    """A product on a business's stall (lapak). Listed publicly when its business is verified
    and staff have not hidden it."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(max_length=120)
    price = models.DecimalField(max_digits=14, decimal_places=2)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    category = models.CharField(max_length=12, choices=ProductCategory.choices)
    stock = models.CharField(
        max_length=10, choices=StockStatus.choices, default=StockStatus.TERSEDIA
    )
    description = models.TextField(blank=True, default="")
    photos = _photo_list(PRODUCT_PHOTO_LIMIT)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Bumdes(models.Model):
    """The village-owned enterprise (Badan Usaha Milik Desa). One per village: a singleton."""

    name = models.CharField(max_length=160)
    legal_basis = models.CharField(max_length=255, blank=True, default="")
    year_founded = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="bumdes_singleton"),
        ]

    def __str__(self) -> str:
        return self.name


class BumdesUnitKind(models.TextChoices):
    TOKO = "toko", _("Toko / unit dagang")
    AIR_BERSIH = "air_bersih", _("Air bersih")
    WISATA = "wisata", _("Wisata")
    SIMPAN_PINJAM = "simpan_pinjam", _("Simpan pinjam")
    PERTANIAN = "pertanian", _("Pertanian")
    PERSEWAAN = "persewaan", _("Persewaan")
    SAMPAH = "sampah", _("Pengelolaan sampah")
    LAINNYA = "lainnya", _("Lainnya")


class BumdesUnit(models.Model):
    bumdes = models.ForeignKey(Bumdes, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=14, choices=BumdesUnitKind.choices)
    description = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class BumdesUnitYear(models.Model):
    """A unit's revenue and profit for one year, as reported by staff. Profit may be a loss."""

    unit = models.ForeignKey(BumdesUnit, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField()
    revenue = models.DecimalField(max_digits=16, decimal_places=2)
    profit = models.DecimalField(max_digits=16, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="bumdes_unit_year_unique"),
            models.CheckConstraint(condition=Q(revenue__gte=0), name="bumdes_revenue_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}"


class PotentialCategory(models.TextChoices):
    AGRICULTURE = "pertanian", _("Pertanian")
    PLANTATION = "perkebunan", _("Perkebunan")
    LIVESTOCK = "peternakan", _("Peternakan")
    TOURISM = "pariwisata", _("Pariwisata")
    NATURAL_RESOURCES = "sumber_daya_alam", _("Sumber daya alam")


class Potential(models.Model):
    """A village potential (potensi desa) with its figures, e.g. karet: 450 ha, 380 t/year."""

    category = models.CharField(max_length=16, choices=PotentialCategory.choices)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    area_ha = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    production_tonnes_per_year = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Heads of cattle, fish ponds, visitors a year ...: the number and what it counts.
    count = models.PositiveIntegerField(null=True, blank=True)
    count_unit = models.CharField(max_length=40, blank=True, default="")
    photos = _photo_list(POTENTIAL_PHOTO_LIMIT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area_ha__isnull=True) | Q(area_ha__gte=0), name="potential_area_ok"
            ),
            models.CheckConstraint(
                condition=Q(production_tonnes_per_year__isnull=True)
                | Q(production_tonnes_per_year__gte=0),
                name="potential_production_ok",
            ),
        ]

    def __str__(self) -> str:
        return self.name
