"""Forms of the economy pages. They label and carry input; every rule (prices above zero,
WhatsApp numbers, photo checks, years) stays in services.economy, whose errors are shown on
the field they name (frontend.forms.add_balai_errors)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from balai.marketplace.filters import CATEGORIES, STOCKS
from services.economy.models import (
    BumdesUnitKind,
    PotentialCategory,
    ProductCategory,
    Sector,
    StockStatus,
    Unit,
)


def _all(choices) -> list:
    return [("", _("Semua")), *choices]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; the service checks and re-encodes each."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return list(data)
        return [data] if data else []


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari produk"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Kategori"),
        required=False,
        choices=_all([c for c in ProductCategory.choices if c[0] in CATEGORIES]),
    )
    stock = forms.ChoiceField(
        label=_("Stok"),
        required=False,
        choices=_all([c for c in StockStatus.choices if c[0] in STOCKS]),
    )


class BusinessFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari usaha"), required=False, max_length=100)
    sector = forms.ChoiceField(label=_("Sektor"), required=False, choices=_all(Sector.choices))


class BusinessForm(forms.Form):
    # Plain text fields on purpose: the service decides what a valid NIB or number is.
    name = forms.CharField(label=_("Nama usaha"), max_length=200)
    sector = forms.ChoiceField(label=_("Sektor"), choices=Sector.choices)
    nib = forms.CharField(
        label=_("NIB"), required=False, max_length=40, help_text=_("13 angka, jika sudah punya.")
    )
    address = forms.CharField(label=_("Alamat"), required=False, max_length=300)
    whatsapp = forms.CharField(
        label=_("Nomor WhatsApp"),
        max_length=40,
        help_text=_("Nomor HP untuk dihubungi pembeli, misalnya 0812xxxxxxxx."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    description = forms.CharField(
        label=_("Keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BusinessRegisterForm(BusinessForm):
    photos = PhotosField(label=_("Foto usaha"), help_text=_("Paling banyak 6 foto, 5 MB per foto."))


class StaffBusinessForm(BusinessRegisterForm):
    """Staff register a business for a resident, chosen from the owner search."""

    # Chosen with a radio button of the owner search; the service checks the resident.
    owner_id = forms.CharField(label=_("Pemilik usaha"), required=False, max_length=20)
    submit = forms.BooleanField(
        label=_("Langsung ajukan untuk verifikasi"), required=False, initial=True
    )


class PhotosForm(forms.Form):
    photos = PhotosField(
        label=_("Tambah foto"), help_text=_("JPEG, PNG, WebP atau GIF, 5 MB per foto.")
    )


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Nama produk"), max_length=200)
    price = forms.CharField(
        label=_("Harga (Rp)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit = forms.ChoiceField(label=_("Satuan"), choices=Unit.choices)
    category = forms.ChoiceField(label=_("Kategori"), choices=ProductCategory.choices)
    stock = forms.ChoiceField(label=_("Stok"), choices=StockStatus.choices)
    description = forms.CharField(
        label=_("Keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ProductCreateForm(ProductForm):
    photos = PhotosField(
        label=_("Foto produk"), help_text=_("Paling banyak 3 foto, 5 MB per foto.")
    )


class ReasonForm(forms.Form):
    # The service refuses an empty reason with its own bilingual message.
    reason = forms.CharField(
        label=_("Alasan"), required=False, max_length=400, widget=forms.Textarea(attrs={"rows": 2})
    )


class BumdesForm(forms.Form):
    name = forms.CharField(label=_("Nama BUMDes"), max_length=200)
    legal_basis = forms.CharField(label=_("Dasar hukum"), required=False, max_length=300)
    year_founded = forms.CharField(label=_("Tahun berdiri"), required=False, max_length=4)
    description = forms.CharField(
        label=_("Keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BumdesUnitForm(forms.Form):
    name = forms.CharField(label=_("Nama unit"), max_length=200)
    kind = forms.ChoiceField(label=_("Jenis unit"), choices=BumdesUnitKind.choices)
    description = forms.CharField(
        label=_("Keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class BumdesYearForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"))
    year = forms.CharField(
        label=_("Tahun"), max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    revenue = forms.CharField(
        label=_("Pendapatan (Rp)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    profit = forms.CharField(
        label=_("Laba (Rp)"),
        max_length=30,
        help_text=_("Rugi ditulis dengan tanda minus."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(str(unit.pk), unit.name) for unit in units]


class PotentialForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), choices=PotentialCategory.choices)
    name = forms.CharField(label=_("Nama potensi"), max_length=200)
    description = forms.CharField(
        label=_("Keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    area_ha = forms.CharField(label=_("Luas (ha)"), required=False, max_length=30)
    production_tonnes_per_year = forms.CharField(
        label=_("Produksi (ton per tahun)"), required=False, max_length=30
    )
    count = forms.CharField(label=_("Jumlah"), required=False, max_length=12)
    count_unit = forms.CharField(
        label=_("Satuan jumlah"),
        required=False,
        max_length=60,
        help_text=_("Misalnya ekor sapi, kolam, pengunjung per tahun."),
    )
    photos = PhotosField(label=_("Foto"), help_text=_("Paling banyak 6 foto, 5 MB per foto."))


class CatalogRegionForm(forms.Form):
    region = forms.ChoiceField(label=_("Kabupaten atau kecamatan"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Pilih wilayah")), *regions]


class PotentialEditForm(PotentialForm):
    """The potential's text and figures; its photos are kept as they are."""

    photos = None
