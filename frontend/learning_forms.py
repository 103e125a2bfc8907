"""Forms of the Smart People pages. They parse and label; the rules (dates, capacity, place,
target group, seats) stay in services.programmes and balai.learning."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balai.learning.models import MaterialKind, MaterialTopic, ProgrammeStatus, TargetGroup

DATETIME_INPUT = {"type": "datetime-local"}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class ProgrammeForm(forms.Form):
    title = forms.CharField(label=_("Judul"), max_length=160, required=False)
    description = forms.CharField(
        label=_("Deskripsi"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    starts_at = forms.DateTimeField(
        label=_("Mulai"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Selesai"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(
        label=_("Tempat"),
        max_length=200,
        required=False,
        help_text=_("Isi tempat atau tautan daring (atau keduanya)."),
    )
    online_url = forms.CharField(label=_("Tautan daring"), max_length=400, required=False)
    # Parsed as text: the service names a bad capacity in both languages.
    capacity = forms.CharField(
        label=_("Kapasitas (orang)"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    target_group = forms.ChoiceField(label=_("Sasaran peserta"), choices=TargetGroup.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ProgrammeStatus.choices)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("starts_at", "ends_at"):
            data[name] = data[name].isoformat()
        return data

    @classmethod
    def initial_of(cls, programme) -> dict:
        values = {name: getattr(programme, name) for name in cls.base_fields}
        for name in ("starts_at", "ends_at"):
            values[name] = timezone.localtime(values[name]).strftime("%Y-%m-%dT%H:%M")
        return values


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Cari warga (NIK atau nama)"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class RegisterResidentForm(forms.Form):
    # The service checks the resident exists in this village (field resident_id).
    resident_id = forms.CharField(label=_("Warga"), max_length=20, required=False)


class AttendanceForm(forms.Form):
    registration_ids = forms.TypedMultipleChoiceField(
        label=_("Hadir"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, registrations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_ids"].choices = [
            (r.pk, r.resident.full_name) for r in registrations
        ]


class MaterialFilterForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("Topik"), required=False, choices=[("", _("Semua")), *MaterialTopic.choices]
    )


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Judul"), max_length=160, required=False)
    topic = forms.ChoiceField(label=_("Topik"), choices=MaterialTopic.choices)
    kind = forms.ChoiceField(label=_("Jenis"), choices=MaterialKind.choices)
    # Text, not URLField: the service says in both languages what a valid link is.
    url = forms.CharField(
        label=_("Tautan"),
        max_length=400,
        required=False,
        help_text=_("Alamat yang diawali http:// atau https://."),
        widget=forms.TextInput(attrs={"inputmode": "url"}),
    )
    summary = forms.CharField(
        label=_("Ringkasan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def initial_of(cls, material) -> dict:
        return {name: getattr(material, name) for name in cls.base_fields}
