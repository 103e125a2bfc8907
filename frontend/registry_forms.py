"""Forms of the population-register pages. They parse and label input; the register's
rules (NIK format, duplicates, dates, which event fits which status) stay in
services.residents.services and come back as field errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from services.imports.models import ImportMode
from services.residents.reference import (
    BloodType,
    Citizenship,
    Education,
    EventKind,
    FamilyRelation,
    MaritalStatus,
    Occupation,
    Religion,
    ResidenceType,
    ResidentStatus,
    Sex,
)
from services.residents.selectors import ResidentFilters
from services.village.models import Area, AreaLevel

EMPTY = [("", "–")]
ALL = [("", _("Semua"))]


def area_choices(*, rt_only: bool = False) -> list[tuple[str, str]]:
    """Dusun, RW and RT of the village as "level:id" choices, each under its parent."""
    areas = list(Area.objects.order_by("name", "id"))
    children: dict[int | None, list[Area]] = {}
    for area in areas:
        children.setdefault(area.parent_id, []).append(area)
    choices: list[tuple[str, str]] = []

    def walk(parent_id: int | None, prefix: str) -> None:
        for area in children.get(parent_id, []):
            own = area.name
            if area.level != AreaLevel.DUSUN:
                own = f"{area.get_level_display()} {area.name}"
            label = f"{prefix}{own}"
            if not rt_only or area.level == AreaLevel.RT:
                choices.append((str(area.pk) if rt_only else f"{area.level}:{area.pk}", label))
            walk(area.pk, f"{label} / ")

    walk(None, "")
    return choices


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label=_("Nama atau NIK"), required=False, max_length=120)
    kk = forms.CharField(label=_("No. KK"), required=False, max_length=16)
    area = forms.ChoiceField(label=_("Wilayah"), required=False)
    sex = forms.ChoiceField(label=_("Jenis kelamin"), required=False, choices=ALL + Sex.choices)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=ALL + ResidentStatus.choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = ALL + area_choices()

    def clean_kk(self) -> str:
        kk = self.cleaned_data["kk"].strip()
        if kk and not kk.isdigit():
            raise forms.ValidationError(_("Pencarian No. KK hanya dengan angka."))
        return kk

    def filters(self) -> ResidentFilters:
        """The selector's filters: digits in the search box are a NIK (or its start)."""
        self.is_valid()  # a bad field is left out; the others still filter
        data = self.cleaned_data
        q = (data.get("q") or "").strip()
        level, _colon, area_id = (data.get("area") or "").partition(":")
        areas = {level: int(area_id)} if area_id.isdigit() else {}
        return ResidentFilters(
            status=data.get("status") or None,
            sex=data.get("sex") or None,
            dusun=areas.get(AreaLevel.DUSUN),
            rw=areas.get(AreaLevel.RW),
            rt=areas.get(AreaLevel.RT),
            name=None if q.isdigit() or not q else q,
            nik=q if q.isdigit() else None,
            kk_number=data.get("kk") or None,
        )


class FamilySearchForm(forms.Form):
    kk = forms.CharField(label=_("No. KK"), required=False, max_length=16)
    area = forms.ChoiceField(label=_("Wilayah"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = ALL + [
            choice for choice in area_choices() if not choice[0].startswith("rw:")
        ]

    def clean_kk(self) -> str:
        kk = self.cleaned_data["kk"].strip()
        if kk and not kk.isdigit():
            raise forms.ValidationError(_("Pencarian No. KK hanya dengan angka."))
        return kk


def _choice(label, choices, *, required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=required, choices=(EMPTY if not required else []) + choices
    )


class ResidentForm(forms.Form):
    """A register record. Values go to resident_create / resident_update unchanged."""

    nik = forms.CharField(
        label="NIK",
        required=False,
        max_length=16,
        help_text=_("16 angka. Kosongkan bila belum punya NIK: Balai memberi nomor sementara."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=120, required=False)
    birth_place = forms.CharField(label=_("Tempat lahir"), max_length=60, required=False)
    birth_date = forms.DateField(
        label=_("Tanggal lahir"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sex = _choice(_("Jenis kelamin"), Sex.choices)
    kk_number = forms.CharField(
        label=_("No. KK"),
        required=False,
        max_length=16,
        help_text=_("Kartu keluarga yang sudah terdaftar di daftar keluarga."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    family_relation = _choice(_("Hubungan dalam keluarga"), FamilyRelation.choices)
    rt = forms.ChoiceField(label=_("RT"), required=False)
    address = forms.CharField(label=_("Alamat"), max_length=255, required=False)
    religion = _choice(_("Agama"), Religion.choices)
    education = _choice(_("Pendidikan"), Education.choices)
    occupation = _choice(_("Pekerjaan"), Occupation.choices)
    marital_status = _choice(_("Status perkawinan"), MaritalStatus.choices)
    citizenship = forms.ChoiceField(
        label=_("Kewarganegaraan"), choices=Citizenship.choices, initial=Citizenship.WNI
    )
    blood_type = _choice(_("Golongan darah"), BloodType.choices)
    phone = forms.CharField(label=_("Telepon"), max_length=20, required=False)
    residence = forms.ChoiceField(
        label=_("Jenis tinggal"), choices=ResidenceType.choices, initial=ResidenceType.PERMANENT
    )
    acknowledge_warnings = forms.BooleanField(
        label=_("NIK ini memang tidak cocok dengan tanggal lahir atau jenis kelamin"),
        required=False,
    )

    PERSONAL = (
        "nik", "full_name", "birth_place", "birth_date", "sex", "family_relation", "address",
        "religion", "education", "occupation", "marital_status", "citizenship", "blood_type",
        "phone", "residence",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rt"].choices = EMPTY + area_choices(rt_only=True)

    def clean_nik(self) -> str:
        return self.cleaned_data["nik"].strip()

    def clean_kk_number(self) -> str:
        return self.cleaned_data["kk_number"].strip()


class NewResidentForm(ResidentForm):
    arrival = forms.ChoiceField(
        label=_("Tercatat karena"),
        choices=[
            (EventKind.REGISTERED, EventKind.REGISTERED.label),
            (EventKind.BIRTH, EventKind.BIRTH.label),
            (EventKind.MOVE_IN, EventKind.MOVE_IN.label),
        ],
        initial=EventKind.REGISTERED,
    )
    arrival_date = forms.DateField(
        label=_("Tanggal peristiwa"),
        required=False,
        help_text=_("Kosong berarti hari ini; untuk kelahiran dipakai tanggal lahir."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=_("Catatan"), max_length=255, required=False)

    field_order = ["arrival", "arrival_date", "note"]


# The events recorded on an existing person; births and newcomers are new records.
PERSON_EVENTS = (
    EventKind.DEATH,
    EventKind.MOVE_OUT,
    EventKind.MISSING,
    EventKind.FOUND,
    EventKind.MOVE_IN,
)


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Peristiwa"), choices=[(kind.value, kind.label) for kind in PERSON_EVENTS]
    )
    event_date = forms.DateField(
        label=_("Tanggal peristiwa"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=_("Catatan"), max_length=255, required=False)


class FamilyForm(forms.Form):
    kk_number = forms.CharField(
        label=_("No. KK"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    rt = forms.ChoiceField(label=_("RT"), required=False)
    address = forms.CharField(label=_("Alamat"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rt"].choices = EMPTY + area_choices(rt_only=True)


class FamilyMemberForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK anggota"),
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    relation = forms.ChoiceField(
        label=_("Hubungan dalam keluarga"), choices=EMPTY + FamilyRelation.choices, required=False
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas penduduk (.xlsx atau .csv)"),
        help_text=_("Isi sesuai templat. Paling besar 20 MB, 100.000 baris."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.csv,text/csv,application/vnd.openxmlformats-"
                   "officedocument.spreadsheetml.sheet"}
        ),
    )  # fmt: skip
    mode = forms.ChoiceField(
        label=_("Bila ada baris yang salah"),
        choices=[
            (ImportMode.ALL_OR_NOTHING, _("Jangan impor apa pun (perbaiki dulu berkasnya)")),
            (ImportMode.GOOD_ROWS, _("Impor baris yang benar, laporkan yang salah")),
        ],
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )
    force = forms.BooleanField(
        label=_("Impor lagi walau berkas yang sama sudah pernah diimpor"), required=False
    )
