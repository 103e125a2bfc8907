from django.db import models


class RegionLevel(models.TextChoices):
    PROVINSI = "provinsi", "Provinsi"
    KABUPATEN = "kabupaten", "Kabupaten"
    KOTA = "kota", "Kota"
    KECAMATAN = "kecamatan", "Kecamatan"
    DESA = "desa", "Desa"
    KELURAHAN = "kelurahan", "Kelurahan"


VILLAGE_LEVELS = (RegionLevel.DESA, RegionLevel.KELURAHAN)
SUPERVISED_LEVELS = (
    RegionLevel.PROVINSI,
    RegionLevel.KABUPATEN,
    RegionLevel.KOTA,
    RegionLevel.KECAMATAN,
)


class Region(models.Model):
    """One region keyed by its Kemendagri code (PP.KK.CC.VVVV).

    The code is the primary key so that foreign keys, roll-up rows and scope checks
    read as codes, and a region's descendants are a prefix match on the code.
    """

    code = models.CharField(max_length=13, primary_key=True)
    name = models.CharField(max_length=120)
    level = models.CharField(max_length=10, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    bps_code = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        ordering = ["code"]
        indexes = [
            # Prefix searches ("every village under 18.08") use LIKE '18.08.%'.
            models.Index(
                fields=["code"], name="region_code_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_village(self) -> bool:
        return self.level in VILLAGE_LEVELS

    def contains(self, code: str) -> bool:
        """True if ``code`` is this region or lies under it."""
        return code == self.code or code.startswith(self.code + ".")

    @property
    def kecamatan_code(self) -> str:
        return ".".join(self.code.split(".")[:3])

    @property
    def kabupaten_code(self) -> str:
        return ".".join(self.code.split(".")[:2])

    @property
    def provinsi_code(self) -> str:
        return self.code.split(".")[0]
