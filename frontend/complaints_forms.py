"""Forms of the complaint pages. They label and carry input; services.complaints checks it.

Most fields are ``required=False`` on purpose: the service refuses a missing category,
description or phone with its own bilingual message on the named field, so the page and
the API say the same thing.
"""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from balai.errors import BalaiError
from frontend.forms import add_balai_errors
from services.complaints.models import ComplaintCategory, ComplaintStatus
from services.complaints.uploads import MAX_PHOTOS

ATTRIBUTE_PREFIX = "attr_"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked by the service, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


def _category_choices(categories) -> list[tuple[str, str]]:
    return [("", _("Pilih kategori")), *((c.code, c.name) for c in categories)]


class ComplaintFileForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), required=False)
    description = forms.CharField(
        label=_("Uraian masalah"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000}),
        help_text=_("Apa yang terjadi, sejak kapan, dan di mana tepatnya."),
    )
    area = forms.ChoiceField(label=_("Dusun/wilayah"), required=False)
    address = forms.CharField(
        label=_("Lokasi (patokan, nama jalan)"), required=False, max_length=255
    )
    latitude = forms.CharField(label=_("Lintang (opsional)"), required=False, max_length=20)
    longitude = forms.CharField(label=_("Bujur (opsional)"), required=False, max_length=20)
    photos = MultipleFileField(
        label=_("Foto (opsional)"),
        required=False,
        help_text=format_lazy(
            _("Paling banyak {n} foto: JPEG, PNG atau WebP. Data lokasi dan kamera dihapus."),
            n=MAX_PHOTOS,
        ),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    name = forms.CharField(label=_("Nama (opsional)"), required=False, max_length=120)
    phone = forms.CharField(
        label=_("Nomor HP"),
        required=False,
        max_length=20,
        help_text=_("Wajib jika tidak masuk sebagai warga. Tidak ditampilkan kepada publik."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("Email (opsional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    is_public = forms.BooleanField(
        label=_("Tampilkan pengaduan ini di daftar publik (tanpa data diri)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, categories, areas, as_resident: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {c.code: c for c in categories}
        self.fields["category"].choices = _category_choices(categories)
        self.fields["area"].choices = [("", _("Tidak tahu / lainnya")), *areas]
        if as_resident:
            # A signed-in resident is reached through their account: no contact fields.
            for name in ("name", "phone", "email"):
                del self.fields[name]
        self.attribute_names = self._add_attribute_fields()

    def _chosen_category(self) -> ComplaintCategory | None:
        code = (self.data.get("category") if self.is_bound else None) or self.initial.get(
            "category"
        )
        return self.categories.get(code or "")

    def _add_attribute_fields(self) -> list[str]:
        """The chosen category's extra questions (Open311 attributes), as form fields."""
        category = self._chosen_category()
        names = []
        for attribute in (category.attributes if category else []) or []:
            if not attribute.get("variable", True):
                continue
            name = ATTRIBUTE_PREFIX + attribute["code"]
            label = attribute.get("description") or attribute["code"]
            values = [(v["key"], v["name"]) for v in attribute.get("values", [])]
            if attribute.get("datatype") == "multivaluelist":
                field = forms.MultipleChoiceField(
                    label=label, choices=values, required=False, widget=forms.CheckboxSelectMultiple
                )
            elif values:
                field = forms.ChoiceField(label=label, choices=[("", "—"), *values], required=False)
            else:
                field = forms.CharField(label=label, required=False, max_length=500)
            self.fields[name] = field
            names.append(name)
        return names

    @property
    def attribute_fields(self):
        return [self[name] for name in self.attribute_names]

    @property
    def main_fields(self):
        return [self[name] for name in self.fields if name not in self.attribute_names]

    def attributes(self) -> dict:
        data = self.cleaned_data
        return {
            name[len(ATTRIBUTE_PREFIX) :]: data[name]
            for name in self.attribute_names
            if data.get(name) not in (None, "", [])
        }

    def add_service_errors(self, error: BalaiError) -> None:
        """The service names ``photos[<i>]`` and ``attributes.<code>``; this form one
        ``photos`` field (each message says which photo) and ``attr_<code>`` fields."""
        for field_error in error.errors:
            if field_error.field.startswith("photos["):
                number = int(field_error.field[len("photos[") : -1]) + 1
                field_error.message = f"Foto {number}: {field_error.message}"
                field_error.message_en = f"Photo {number}: {field_error.message_en}"
                field_error.field = "photos"
            elif field_error.field.startswith("attributes."):
                field_error.field = ATTRIBUTE_PREFIX + field_error.field[len("attributes.") :]
        add_balai_errors(self, error)


class TrackForm(forms.Form):
    kode = forms.CharField(
        label=_("Kode pelacakan"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


OVERDUE_CHOICES = [("", _("Semua")), ("1", _("Terlambat")), ("0", _("Tepat waktu"))]


class ComplaintQueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Kategori"), required=False)
    overdue = forms.ChoiceField(label=_("Tenggat"), required=False, choices=OVERDUE_CHOICES)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Semua")), *ComplaintStatus.choices]
        self.fields["category"].choices = [
            ("", _("Semua")),
            *((c.code, c.name) for c in categories),
        ]


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Petugas"), coerce=int)
    note = forms.CharField(
        label=_("Catatan internal"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, assignees, **kwargs):
        kwargs.setdefault("auto_id", "assign_%s")  # unique ids beside the other forms
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Pilih petugas")), *assignees]


class ReplyForm(forms.Form):
    note = forms.CharField(
        label=_("Tanggapan"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_public = forms.BooleanField(
        label=_("Tampilkan di halaman lacak (publik)"), required=False, initial=True
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status baru"), required=False)
    note = forms.CharField(
        label=_("Catatan"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    is_public = forms.BooleanField(
        label=_("Tampilkan catatan di halaman lacak (publik)"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "status_%s")
        super().__init__(*args, **kwargs)
        # Rejecting has its own form, because it needs a reason.
        self.fields["status"].choices = [
            ("", _("Pilih status")),
            *((v, label) for v, label in ComplaintStatus.choices if v != ComplaintStatus.REJECTED),
        ]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan penolakan"),
        required=False,
        max_length=255,
        help_text=_("Ditampilkan kepada pelapor di halaman lacak."),
    )


class MergeForm(forms.Form):
    original = forms.CharField(
        label=_("Kode pengaduan asal"),
        required=False,
        max_length=20,
        help_text=_("Pengaduan ini ditutup sebagai duplikat dan menunjuk ke pengaduan asal."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    note = forms.CharField(
        label=_("Catatan"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "merge_%s")
        super().__init__(*args, **kwargs)


class VisibilityForm(forms.Form):
    # Set by the button's form: "1" hides, "0" shows again.
    hidden = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Alasan menyembunyikan"),
        required=False,
        max_length=255,
        help_text=_("Hanya untuk petugas. Pengaduan tetap ditangani."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "visibility_%s")
        super().__init__(*args, **kwargs)


class ComplaintSettingsForm(forms.Form):
    escalate_after_days = forms.IntegerField(
        label=_("Eskalasi ke kecamatan setelah lewat target (hari)"),
        help_text=_("Antara 0 dan 90 hari. 0 berarti segera setelah target terlewati."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
