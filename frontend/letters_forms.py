"""Forms of the letter pages. A request's extra fields are built from its letter type's
schema; every rule (required, dates, numbers, choices) stays in services.letters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from balai.accounts.models import StaffRole
from balai.errors import BalaiError, FieldError
from services.letters.models import FieldType, LetterSettings, LetterType, SequenceScope

NOTE_MAX = 500


def _widget(spec: dict) -> forms.Widget:
    if spec["type"] == FieldType.DATE:
        return forms.DateInput(attrs={"type": "date"})
    if spec["type"] == FieldType.NUMBER:
        return forms.TextInput(attrs={"inputmode": "decimal"})
    return forms.TextInput()


class LetterRequestForm(forms.Form):
    """One form field per entry of ``letter_type.fields``, plus an optional note.

    The fields are not marked required here: the service checks them and names each one,
    in both languages, so a page and the API say the same thing.
    """

    note = forms.CharField(
        label=_("Catatan untuk petugas"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, letter_type: LetterType, **kwargs):
        super().__init__(*args, **kwargs)
        extra: dict[str, forms.Field] = {}
        for spec in letter_type.fields:
            help_text = _("Wajib diisi.") if spec.get("required") else ""
            if spec["type"] == FieldType.CHOICE:
                extra[spec["name"]] = forms.ChoiceField(
                    label=spec["label"],
                    required=False,
                    choices=[("", "—"), *((c, c) for c in spec["choices"])],
                    help_text=help_text,
                )
            else:
                extra[spec["name"]] = forms.CharField(
                    label=spec["label"],
                    required=False,
                    max_length=500,
                    widget=_widget(spec),
                    help_text=help_text,
                )
        # The letter's own fields first, the note last.
        self.fields = {**extra, "note": self.fields["note"]}
        self.schema_names = list(extra)

    def field_values(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in self.schema_names}


def errors_on_form_fields(error: BalaiError) -> BalaiError:
    """The service names a request's fields ``fields.<name>``; the form calls them ``<name>``."""
    return BalaiError(
        errors=[
            FieldError(e.field.removeprefix("fields."), e.code, e.message, e.message_en)
            for e in error.errors
        ],
        status=error.status,
    )


class LetterActionForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan / alasan"),
        help_text=_("Wajib untuk mengembalikan, menolak atau mencabut surat."),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LetterSearchForm(forms.Form):
    q = forms.CharField(label=_("Cari nomor, nama atau NIK"), required=False, max_length=120)


class LetterTemplateForm(forms.Form):
    title = forms.CharField(label=_("Judul surat"), max_length=160)
    template = forms.CharField(
        label=_("Isi templat"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Baris kosong memulai paragraf; baris 'Label : {{ isian }}' menjadi tabel. "
            "Isian yang boleh dipakai tercantum di bawah."
        ),
    )
    requirements = forms.CharField(
        label=_("Syarat (satu per baris)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    validity_days = forms.IntegerField(label=_("Masa berlaku (hari)"), min_value=0)
    online_allowed = forms.BooleanField(label=_("Boleh diajukan daring"), required=False)
    is_active = forms.BooleanField(label=_("Aktif"), required=False)

    @classmethod
    def for_type(cls, letter_type: LetterType, data=None) -> LetterTemplateForm:
        initial = {
            "title": letter_type.title,
            "template": letter_type.template,
            "requirements": "\n".join(letter_type.requirements),
            "validity_days": letter_type.validity_days,
            "online_allowed": letter_type.online_allowed,
            "is_active": letter_type.is_active,
        }
        return cls(data=data, initial=initial)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["requirements"] = [
            line.strip() for line in data["requirements"].splitlines() if line.strip()
        ]
        return data


class CounterResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Cari penduduk: NIK atau nama"),
        help_text=_("Paling sedikit 3 huruf atau angka."),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class LetterSettingsForm(forms.Form):
    number_format = forms.CharField(
        label=_("Format nomor surat"),
        max_length=120,
        # The service names what is wrong with a format; the browser does not check first.
        required=False,
        help_text=_(
            "Bagian yang dapat dipakai: {classification} kode klasifikasi, {seq:03d} nomor "
            "urut, {village_code} kode desa, {month_roman} bulan Romawi, {month} bulan, "
            "{year} tahun, {type_code} kode jenis surat. Wajib memuat {seq} dan {year}."
        ),
    )
    sequence_scope = forms.ChoiceField(
        label=_("Nomor urut"), choices=SequenceScope.choices, widget=forms.RadioSelect
    )
    signer_roles = forms.MultipleChoiceField(
        label=_("Penandatangan selain kepala desa"),
        help_text=_("Kepala desa selalu dapat menandatangani; centang peran yang diberi delegasi."),
        required=False,
        choices=[c for c in StaffRole.choices if c[0] != StaffRole.KEPALA_DESA],
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def for_settings(cls, row: LetterSettings, data=None, *, read_only: bool = False):
        form = cls(
            data=data,
            initial={
                "number_format": row.number_format,
                "sequence_scope": row.sequence_scope,
                "signer_roles": [r for r in row.signer_roles if r != StaffRole.KEPALA_DESA],
            },
        )
        if read_only:
            for field in form.fields.values():
                field.disabled = True
        return form

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["number_format"] = data["number_format"].strip()
        return data


class LetterFieldForm(forms.Form):
    """One extra field of a letter type; the service decides what a valid definition is."""

    name = forms.CharField(
        label=_("Nama isian"),
        help_text=_(
            "Huruf kecil, angka, garis bawah; dipakai di templat sebagai {{ field.nama }}."
        ),
        required=False,
        max_length=40,
    )
    label = forms.CharField(label=_("Label"), required=False, max_length=120)
    type = forms.ChoiceField(label=_("Jenis isian"), choices=FieldType.choices, initial="text")
    required = forms.BooleanField(label=_("Wajib diisi"), required=False)
    choices = forms.CharField(
        label=_("Pilihan (satu per baris)"),
        help_text=_("Hanya untuk jenis Pilihan."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @staticmethod
    def initial_of(spec: dict) -> dict:
        return {**spec, "choices": "\n".join(spec.get("choices", []))}

    def definition(self) -> dict:
        data = self.cleaned_data
        entry = {
            "name": data["name"].strip(),
            "label": data["label"].strip(),
            "type": data["type"],
            "required": data["required"],
        }
        if data["type"] == FieldType.CHOICE:
            lines = data["choices"].splitlines()
            entry["choices"] = [line.strip() for line in lines if line.strip()]
        return entry


LetterFieldFormSet = forms.formset_factory(
    LetterFieldForm, extra=2, can_order=True, can_delete=True, max_num=30, validate_max=True
)
