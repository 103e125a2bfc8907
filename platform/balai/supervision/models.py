from django.db import models


class NikFingerprint(models.Model):
    """A NIK in a village's current register, as a keyed hash: the duplicate-NIK report.

    Public schema, so supervisors can find the same person registered in two villages
    without reading village schemas. It holds an HMAC-SHA256 of the NIK (keyed with
    SECRET_KEY, so the 16-digit space cannot simply be enumerated against it), a masked
    form for display, and the village's region code: no name, no resident row.
    Written by the village's resident services in the same transaction as the change.
    """

    nik_hash = models.CharField(max_length=64)
    masked_nik = models.CharField(max_length=16)
    village_code = models.CharField(max_length=13)
    # Denormalised from the region code, as on tenants.Village, to filter without joins.
    kecamatan_code = models.CharField(max_length=8)
    kabupaten_code = models.CharField(max_length=5)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["nik_hash", "village_code"], name="nik_fp_unique"),
        ]
        indexes = [
            models.Index(fields=["kecamatan_code", "nik_hash"], name="nik_fp_kecamatan_idx"),
            models.Index(fields=["kabupaten_code", "nik_hash"], name="nik_fp_kabupaten_idx"),
        ]

    def __str__(self) -> str:
        return f"NikFingerprint {self.pk}"
