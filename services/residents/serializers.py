"""How register records are shown and how request bodies become service arguments.

Input parsing turns strings into typed values (dates, areas, family cards) and reports
every problem at once, in Indonesian and English; the rules of the register themselves
live in services.residents.services and validation, shared with the importer.
"""

from __future__ import annotations

import datetime
from typing import Any

from rest_framework import serializers

from balai.errors import BalaiError, FieldError
from services.residents.models import Family, PopulationEvent, Resident
from services.residents.services import PERSONAL_FIELDS, ResidentData
from services.residents.validation import nik_date_warning
from services.village.models import Area

# -- output ---------------------------------------------------------------------------------


class AreaRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FamilyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kk_number = serializers.CharField()


def _address_parts(rt: Area | None) -> dict[str, Any]:
    rw = rt.parent if rt else None
    dusun = rw.parent if rw else None
    return {
        "rt": {"id": rt.pk, "name": rt.name} if rt else None,
        "rw": {"id": rw.pk, "name": rw.name} if rw else None,
        "dusun": {"id": dusun.pk, "name": dusun.name} if dusun else None,
    }


class ResidentListSerializer(serializers.ModelSerializer):
    """A row of the register list: needs select_related("family", "rt__parent__parent")."""

    family = FamilyRefSerializer(allow_null=True)
    area = serializers.SerializerMethodField()
    has_temporary_nik = serializers.BooleanField()

    class Meta:
        model = Resident
        fields = [
            "id",
            "nik",
            "has_temporary_nik",
            "full_name",
            "sex",
            "birth_place",
            "birth_date",
            "status",
            "residence",
            "family",
            "family_relation",
            "area",
            "address",
        ]

    def get_area(self, resident: Resident) -> dict[str, Any]:
        return _address_parts(resident.rt)


class ResidentDetailSerializer(ResidentListSerializer):
    nik_warning = serializers.SerializerMethodField()

    class Meta(ResidentListSerializer.Meta):
        fields = [
            *ResidentListSerializer.Meta.fields,
            "religion",
            "education",
            "occupation",
            "marital_status",
            "citizenship",
            "blood_type",
            "phone",
            "nik_warning",
            "nik_warning_acknowledged",
            "created_at",
            "updated_at",
        ]

    def get_nik_warning(self, resident: Resident) -> dict[str, str] | None:
        warning = nik_date_warning(resident.nik, birth_date=resident.birth_date, sex=resident.sex)
        return warning.as_dict() if warning else None


class PopulationEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = PopulationEvent
        fields = ["id", "resident", "kind", "event_date", "note", "details", "recorded_at"]


class FamilyListSerializer(serializers.ModelSerializer):
    """Needs select_related("head", "rt__parent__parent") and the member_count annotation."""

    head = serializers.SerializerMethodField()
    area = serializers.SerializerMethodField()
    member_count = serializers.IntegerField()

    class Meta:
        model = Family
        fields = ["id", "kk_number", "head", "area", "address", "member_count"]

    def get_head(self, family: Family) -> dict[str, Any] | None:
        head = family.head
        return {"id": head.pk, "full_name": head.full_name} if head else None

    def get_area(self, family: Family) -> dict[str, Any]:
        return _address_parts(family.rt)


class FamilyMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resident
        fields = ["id", "nik", "full_name", "sex", "birth_date", "family_relation", "status"]


# -- input ----------------------------------------------------------------------------------

STRING_FIELDS = PERSONAL_FIELDS - {"birth_date", "rt", "family"}


def _err(field: str, code: str, message: str, message_en: str) -> FieldError:
    return FieldError(field, code, message, message_en)


def date_parse(value: Any, *, field: str, errors: list[FieldError]) -> datetime.date | None:
    """A YYYY-MM-DD date; an impossible one (2024-02-30) is an error naming the field."""
    if value in (None, ""):
        return None
    text = str(value)
    try:
        if len(text) != 10:  # fromisoformat also takes 20240230-like forms
            raise ValueError(text)
        return datetime.date.fromisoformat(text)
    except ValueError:
        errors.append(
            _err(
                field,
                "invalid_date",
                f"Tanggal {value!r} tidak valid; tulis sebagai TTTT-BB-HH, mis. 1990-05-17.",
                f"The date {value!r} is not valid; write it as YYYY-MM-DD, e.g. 1990-05-17.",
            )
        )
        return None


def _id_parse(value: Any, *, field: str, errors: list[FieldError]) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not str(value).isdigit():
        errors.append(_err(field, "invalid_id", "Harus berupa angka id.", "Must be a numeric id."))
        return None
    return int(value)


def body_dict(data: Any) -> dict[str, Any]:
    if hasattr(data, "dict"):  # a QueryDict from a form post
        return data.dict()
    if not isinstance(data, dict):
        raise BalaiError.single(
            "non_field_errors",
            "invalid_body",
            "Isi permintaan harus objek JSON.",
            "The request body must be a JSON object.",
        )
    return dict(data)


def resident_input_parse(data: dict[str, Any], *, ignore: tuple[str, ...] = ()) -> ResidentData:
    """Turn a request body into ResidentData; every type problem reported at once.

    ``rt_id`` and ``family_id`` name an RT and a family card of this village.
    """
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name in ignore:
            continue
        if name in STRING_FIELDS:
            if value is None:
                value = ""
            if not isinstance(value, str):
                errors.append(_err(name, "not_text", "Harus berupa teks.", "Must be text."))
                continue
            out[name] = value.strip()
        elif name == "birth_date":
            parsed = date_parse(value, field=name, errors=errors)
            if parsed is not None or value in (None, ""):
                out[name] = parsed
        elif name == "rt_id":
            rt_id = _id_parse(value, field=name, errors=errors)
            if rt_id is None:
                out["rt"] = None
            elif (rt := Area.objects.filter(pk=rt_id).first()) is None:
                errors.append(_err(name, "not_found", "RT tidak ditemukan.", "RT not found."))
            else:
                out["rt"] = rt
        elif name == "family_id":
            family_id = _id_parse(value, field=name, errors=errors)
            if family_id is None:
                out["family"] = None
            elif (family := Family.objects.filter(pk=family_id).first()) is None:
                errors.append(
                    _err(name, "not_found", "Keluarga tidak ditemukan.", "Family not found.")
                )
            else:
                out["family"] = family
        elif name == "status":
            errors.append(
                _err(
                    "status",
                    "status_read_only",
                    "Status berubah hanya lewat peristiwa kependudukan (mati, pindah, hilang).",
                    "The status changes only through population events (death, moving, missing).",
                )
            )
        else:
            errors.append(_err(name, "unknown_field", "Kolom tidak dikenal.", "Unknown field."))
    if errors:
        raise BalaiError(errors=errors)
    return out  # type: ignore[return-value]


def flag_parse(value: Any) -> bool:
    return value in (True, "true", "1", 1, "yes")
