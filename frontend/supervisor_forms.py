"""Forms of the supervisor pages: they parse the query string; the scope rules stay in the
selectors (balai.rollups.selectors, balai.supervision)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# The comparison table's columns, in order: (key, heading). Every one sorts.
COMPARE_COLUMNS = (
    ("village_name", _("Desa")),
    ("population_total", _("Penduduk")),
    ("families_total", _("KK")),
    ("letters_requested", _("Surat bulan ini")),
    ("complaints_overdue", _("Pengaduan terlambat")),
    ("adoption_share", _("Adopsi digital")),
    ("businesses_total", _("UMKM")),
    ("products_listed", _("Produk")),
    ("bumdes_revenue", _("Pendapatan BUMDes")),
)
# The comparison's levels (?tingkat=): one row per village, or per kecamatan.
LEVELS = (("desa", _("Per desa")), ("kecamatan", _("Per kecamatan")))
COMPARE_SORTS = ("region_code", *(key for key, _label in COMPARE_COLUMNS))


class RegionPageForm(forms.Form):
    region = forms.CharField(label=_("Wilayah"), required=False, max_length=13)
    page = forms.IntegerField(label=_("Halaman"), required=False, min_value=1)


class CompareForm(RegionPageForm):
    sort = forms.ChoiceField(
        label=_("Urutkan"),
        required=False,
        choices=[(key, key) for name in COMPARE_SORTS for key in (name, f"-{name}")],
    )
    format = forms.ChoiceField(label=_("Format"), required=False, choices=[("csv", "CSV")])
    tingkat = forms.ChoiceField(label=_("Tingkat"), required=False, choices=LEVELS)


# How far back the village page's charts go (?hari=).
VILLAGE_PERIODS = (30, 90, 365)


class VillagePageForm(forms.Form):
    hari = forms.TypedChoiceField(
        label=_("Periode"),
        required=False,
        coerce=int,
        empty_value=VILLAGE_PERIODS[0],
        choices=[(days, days) for days in VILLAGE_PERIODS],
    )
