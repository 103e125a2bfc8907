"""Forms of the village site pages: news, profile, officials and budget.

They parse and label input; the rules (required titles, image checks, amounts, the
realisation ceiling) stay in the services, whose errors land on the named field.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from balai.errors import BalaiError
from frontend.forms import balai_error_messages
from services.budget.models import Bidang, IncomeSource, LineKind
from services.budget.services import amount_parse
from services.news.models import ArticleKind

IMAGE_ACCEPT = {"accept": "image/jpeg,image/png,image/webp"}
XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class YearForm(forms.Form):
    tahun = forms.TypedChoiceField(label=_("Tahun"), coerce=int, required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tahun"].choices = [(year, str(year)) for year in years]


class ArticleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis"), choices=ArticleKind.choices)
    title = forms.CharField(label=_("Judul"), max_length=200, required=False)
    slug = forms.CharField(
        label=_("Slug (alamat)"),
        max_length=200,
        required=False,
        help_text=_("Kosongkan agar dibuat dari judul."),
    )
    category = forms.ChoiceField(label=_("Kategori"), required=False)
    summary = forms.CharField(
        label=_("Ringkasan"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label=_("Isi"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    cover = forms.FileField(
        label=_("Gambar sampul"),
        required=False,
        help_text=_("JPEG, PNG atau WebP, maks. 5 MB."),
        widget=forms.FileInput(attrs=IMAGE_ACCEPT),
    )
    cover_remove = forms.BooleanField(label=_("Hapus gambar sampul"), required=False)
    publish_at = forms.DateTimeField(
        label=_("Jadwal terbit"),
        required=False,
        help_text=_("Kosongkan untuk terbit sekarang saat diterbitkan."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, categories=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Tanpa kategori"))] + [
            (str(category.pk), category.name) for category in categories
        ]
        if not editing:
            del self.fields["cover_remove"]


class ProfileForm(forms.Form):
    head_title = forms.CharField(label=_("Sebutan kepala desa"), max_length=60)
    secretary_title = forms.CharField(label=_("Sebutan sekretaris"), max_length=60)
    address = forms.CharField(label=_("Alamat kantor"), max_length=255, required=False)
    phone = forms.CharField(label=_("Telepon"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    service_hours = forms.CharField(label=_("Jam layanan"), max_length=120, required=False)
    vision = forms.CharField(
        label=_("Visi"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    mission = forms.CharField(
        label=_("Misi"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    history = forms.CharField(
        label=_("Sejarah"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    latitude = forms.DecimalField(
        label=_("Lintang"), required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(label=_("Bujur"), required=False, max_digits=9, decimal_places=6)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("JPEG, PNG atau WebP, maks. 5 MB."),
        widget=forms.FileInput(attrs=IMAGE_ACCEPT),
    )
    logo_remove = forms.BooleanField(label=_("Hapus logo"), required=False)

    UPLOAD_FIELDS = ("logo", "logo_remove")

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in self.UPLOAD_FIELDS}


class OfficialForm(forms.Form):
    name = forms.CharField(label=_("Nama"), max_length=120, required=False)
    position = forms.CharField(label=_("Jabatan"), max_length=120, required=False)
    order = forms.IntegerField(label=_("Urutan"), min_value=0, max_value=32767, initial=0)
    active = forms.BooleanField(label=_("Tampil di beranda"), required=False, initial=True)
    photo = forms.FileField(
        label=_("Foto"),
        required=False,
        help_text=_("JPEG, PNG atau WebP, maks. 5 MB."),
        widget=forms.FileInput(attrs=IMAGE_ACCEPT),
    )


SECTOR_CHOICES = [
    (_("Pendapatan"), [(c.value, c.label) for c in IncomeSource]),
    (_("Belanja"), [(c.value, c.label) for c in Bidang]),
]


class BudgetLineForm(forms.Form):
    """Amounts stay text: the service parses them ("1.250.000,50" too) and names errors."""

    kind = forms.ChoiceField(label=_("Jenis"), choices=LineKind.choices)
    sector = forms.ChoiceField(label=_("Sumber / bidang"), choices=SECTOR_CHOICES)
    description = forms.CharField(label=_("Uraian"), max_length=255, required=False)
    budget = forms.CharField(
        label=_("Anggaran (Rp)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    realised = forms.CharField(
        label=_("Realisasi (Rp)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def _amount(self, field: str):
        # Typed the Indonesian way ("1.250.000,50") is fine: the service's own parser reads it.
        try:
            return amount_parse(self.cleaned_data.get(field), field=field, localized=True)
        except BalaiError as error:
            raise forms.ValidationError(balai_error_messages(error)) from None

    def clean_budget(self):
        return self._amount("budget")

    def clean_realised(self):
        return self._amount("realised")


class BudgetImportForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas APBDes (.xlsx)"),
        help_text=_("Mengganti semua baris tahun ini; semua atau tidak sama sekali."),
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
