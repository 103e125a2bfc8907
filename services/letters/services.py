"""Writes of the letters service: catalog, settings, and the workflow of a letter.

Run with the village schema active. ``actor`` is the request principal (a global User for
staff, a ResidentPrincipal for residents); ``role`` is the staff role in this village
(``accounts.StaffRole``) or None for a resident. Every status change records a step, an
audit entry and a ``letter.status_changed`` event in the same transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from balai.accounts.models import StaffRole
from balai.errors import BalaiError, FieldError
from balai.regions.models import Region
from services.audit.services import audit_record
from services.events.services import event_record
from services.letters import rendering
from services.letters.models import (
    ISSUED_STATUSES,
    ActorKind,
    Channel,
    FieldType,
    Letter,
    LetterSettings,
    LetterStatus,
    LetterStep,
    LetterType,
    SequenceScope,
)
from services.letters.numbering import number_format, number_format_check, sequence_next
from services.letters.seed import LETTER_TYPES, letter_type_defaults
from services.residents.models import Resident
from services.residents.reference import ResidentStatus
from services.village.models import VillageProfile
from tenants.models import Domain

FIELD_NAME_MAX = 40
FIELDS_MAX = 30
FIELD_VALUE_MAX = 500
LETTER_EVENT = "letter.status_changed"


# --- catalog and settings -------------------------------------------------------------


@transaction.atomic
def letters_seed() -> int:
    """Give the village the default letter types and settings. Safe to run again: types
    the village already has (edited or not) are left alone. Returns how many were added."""
    LetterSettings.objects.get_or_create(id=1, defaults={"signer_roles": [StaffRole.KEPALA_DESA]})
    added = 0
    for entry in LETTER_TYPES:
        _, created = LetterType.objects.get_or_create(
            code=entry["code"], defaults=letter_type_defaults(entry)
        )
        added += created
    return added


def letter_settings_get() -> LetterSettings:
    settings_row, _ = LetterSettings.objects.get_or_create(
        id=1, defaults={"signer_roles": [StaffRole.KEPALA_DESA]}
    )
    return settings_row


@transaction.atomic
def letter_settings_update(*, actor: Any, changes: dict) -> LetterSettings:
    row = letter_settings_get()
    row = LetterSettings.objects.select_for_update().get(id=row.id)
    if "number_format" in changes:
        number_format_check(changes["number_format"])
    if "sequence_scope" in changes and changes["sequence_scope"] not in SequenceScope.values:
        raise BalaiError.single(
            "sequence_scope",
            "invalid_choice",
            f"Pilih salah satu: {', '.join(SequenceScope.values)}.",
            f"Choose one of: {', '.join(SequenceScope.values)}.",
        )
    if "signer_roles" in changes:
        roles = changes["signer_roles"]
        if not isinstance(roles, list):
            raise BalaiError.single(
                "signer_roles", "invalid", "Isi dengan daftar peran.", "Give a list of roles."
            )
        unknown = [r for r in roles if r not in StaffRole.values]
        if unknown:
            raise BalaiError.single(
                "signer_roles",
                "invalid_choice",
                f"Peran tidak dikenal: {', '.join(map(str, unknown))}.",
                f"Unknown roles: {', '.join(map(str, unknown))}.",
            )
        # The kepala desa signs by law (UU 6/2014 art. 26); delegation only adds signers.
        changes["signer_roles"] = sorted({StaffRole.KEPALA_DESA, *roles})
    for name, value in changes.items():
        setattr(row, name, value)
    row.save(update_fields=[*changes.keys(), "updated_at"])
    audit_record(
        actor=actor, action="update", object_type="letter_settings", object_id=1, fields=changes
    )
    return row


def letter_number_example(*, options: LetterSettings | None = None) -> str:
    """A number as the village's format would give it today (the 12th letter of a surat
    keterangan domisili): what the settings page shows next to the format."""
    options = options or letter_settings_get()
    profile = VillageProfile.objects.get(id=1)
    return number_format(
        text=options.number_format,
        classification="470",
        seq=12,
        village_code=profile.region_code.rsplit(".", 1)[-1],
        on=timezone.localdate(),
        type_code="domisili",
    )


def letter_type_fields_check(*, fields: Any) -> list[dict]:
    """A letter type's extra-field definitions, checked and normalised.

    Every problem is reported at once, each named ``fields[<index>].<attribute>`` (or
    ``fields`` for the list itself), so an editor can mark every wrong row in one go.
    """
    if not isinstance(fields, list):
        raise BalaiError.single(
            "fields", "invalid_field_schema", "Isian harus berupa daftar.", "Give a list."
        )
    if len(fields) > FIELDS_MAX:
        raise BalaiError.single(
            "fields",
            "too_many_fields",
            f"Paling banyak {FIELDS_MAX} isian.",
            f"At most {FIELDS_MAX} fields.",
        )
    errors: list[FieldError] = []

    def error(index: int, attribute: str, message: str, message_en: str) -> None:
        name = f"fields[{index}]" + (f".{attribute}" if attribute else "")
        errors.append(FieldError(name, "invalid_field_schema", message, message_en))

    seen: set[str] = set()
    clean: list[dict] = []
    for index, item in enumerate(fields):
        if not isinstance(item, dict):
            error(index, "", "Setiap isian harus berupa objek.", "Each field must be an object.")
            continue
        name = str(item.get("name", ""))
        if not rendering.PLACEHOLDER_NAME.match(name) or "." in name or len(name) > FIELD_NAME_MAX:
            error(
                index,
                "name",
                f"Nama isian {name!r} tidak valid (huruf kecil, angka, garis bawah).",
                f"Field name {name!r} is invalid (lowercase letters, digits, underscores).",
            )
        elif name in seen:
            error(index, "name", f"Nama isian {name} ganda.", f"Field name {name} is repeated.")
        seen.add(name)
        kind = item.get("type", FieldType.TEXT)
        if kind not in FieldType.values:
            error(
                index,
                "type",
                f"Tipe isian {kind!r} tidak dikenal: {', '.join(FieldType.values)}.",
                f"Unknown field type {kind!r}: use {', '.join(FieldType.values)}.",
            )
        entry = {
            "name": name,
            "label": str(item.get("label") or name).strip()[:120] or name,
            "type": kind,
            "required": bool(item.get("required", False)),
        }
        if kind == FieldType.CHOICE:
            choices = item.get("choices")
            if not isinstance(choices, list) or not choices:
                error(
                    index,
                    "choices",
                    "Isian pilihan butuh daftar pilihan.",
                    "A choice field needs choices.",
                )
            else:
                entry["choices"] = [str(c).strip()[:120] for c in choices]
                if "" in entry["choices"] or len(set(entry["choices"])) < len(choices):
                    error(
                        index,
                        "choices",
                        "Pilihan tidak boleh kosong atau ganda.",
                        "Choices must be neither empty nor repeated.",
                    )
        clean.append(entry)
    if errors:
        raise BalaiError(errors=errors)
    return clean


def _letter_type_apply(letter_type: LetterType, data: dict) -> list[str]:
    editable = (
        "name",
        "classification_code",
        "fields",
        "requirements",
        "validity_days",
        "online_allowed",
        "title",
        "template",
        "is_active",
    )
    changed = [name for name in editable if name in data]
    for name in changed:
        value = data[name]
        if name == "fields":
            value = letter_type_fields_check(fields=value)
        if name == "requirements":
            value = [str(item)[:200] for item in value or []]
        setattr(letter_type, name, value)
    # Checked against the fields as they will be after this change, so a template and the
    # field it uses can be edited together.
    rendering.template_check(
        text=letter_type.template, field_names=[f["name"] for f in letter_type.fields]
    )
    rendering.template_check(text=letter_type.title, field_names=[], field="title")
    return changed


@transaction.atomic
def letter_type_create(*, actor: Any, data: dict) -> LetterType:
    code = str(data.get("code", ""))
    if LetterType.objects.filter(code=code).exists():
        raise BalaiError.single(
            "code", "duplicate", f"Kode {code} sudah dipakai.", f"Code {code} is taken.", 409
        )
    letter_type = LetterType(code=code)
    _letter_type_apply(letter_type, data)
    letter_type.save()
    audit_record(actor=actor, action="create", object_type="letter_type", object_id=code)
    return letter_type


@transaction.atomic
def letter_type_update(*, actor: Any, code: str, changes: dict) -> LetterType:
    letter_type = LetterType.objects.select_for_update().filter(code=code).first()
    if letter_type is None:
        raise _unknown_type(code)
    changed = _letter_type_apply(letter_type, changes)
    letter_type.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor, action="update", object_type="letter_type", object_id=code, fields=changed
    )
    return letter_type


def _unknown_type(code: str) -> BalaiError:
    return BalaiError.single(
        "letter_type",
        "unknown_letter_type",
        f"Jenis surat tidak dikenal: {code}.",
        f"Unknown letter type: {code}.",
    )


# --- extra fields ---------------------------------------------------------------------


def field_values_clean(*, schema: list[dict], values: Any) -> dict[str, Any]:
    """The request's extra fields checked against the type's schema, as JSON values."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise BalaiError.single(
            "fields", "invalid", "Isian harus berupa objek.", "Fields must be an object."
        )
    errors: list[FieldError] = []
    known = {f["name"]: f for f in schema}
    for name in values:
        if name not in known:
            errors.append(
                FieldError(
                    f"fields.{name}",
                    "unknown_field",
                    f"Isian {name} tidak dikenal untuk jenis surat ini.",
                    f"Field {name} is not part of this letter type.",
                )
            )
    clean: dict[str, Any] = {}
    for name, spec in known.items():
        raw = values.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.get("required"):
                errors.append(
                    FieldError(
                        f"fields.{name}",
                        "required",
                        f"{spec['label']} wajib diisi.",
                        f"{spec['label']} ({name}) is required.",
                    )
                )
            continue
        value, problem = _field_value(spec, raw)
        if problem:
            errors.append(FieldError(f"fields.{name}", "invalid", *problem))
        else:
            clean[name] = value
    if errors:
        raise BalaiError(errors=errors)
    return clean


def _field_value(spec: dict, raw: Any) -> tuple[Any, tuple[str, str] | None]:
    kind = spec["type"]
    label = spec["label"]
    if kind == FieldType.DATE:
        try:
            return date.fromisoformat(str(raw)).isoformat(), None
        except ValueError:
            return None, (
                f"{label}: tanggal tidak valid (YYYY-MM-DD).",
                "Invalid date (YYYY-MM-DD).",
            )
    if kind == FieldType.NUMBER:
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            return None, (f"{label}: harus berupa angka.", "Must be a number.")
        if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
            return None, (f"{label}: angka tidak valid.", "Invalid number.")
        return (int(number) if number == number.to_integral_value() else str(number)), None
    text = str(raw).strip()
    if len(text) > FIELD_VALUE_MAX:
        return None, (
            f"{label}: maksimal {FIELD_VALUE_MAX} karakter.",
            f"At most {FIELD_VALUE_MAX} characters.",
        )
    if kind == FieldType.CHOICE and text not in spec.get("choices", []):
        return None, (
            f"{label}: pilih salah satu dari {', '.join(spec['choices'])}.",
            f"Choose one of {', '.join(spec['choices'])}.",
        )
    return text, None


def field_values_display(*, schema: list[dict], values: dict) -> dict[str, str]:
    """Field values as printed: Indonesian dates, thousands separated by dots."""
    out: dict[str, str] = {}
    for spec in schema:
        value = values.get(spec["name"])
        if value is None or value == "":
            out[spec["name"]] = ""
        elif spec["type"] == FieldType.DATE:
            out[spec["name"]] = rendering.date_id(date.fromisoformat(value))
        elif spec["type"] == FieldType.NUMBER:
            whole, _, fraction = str(value).partition(".")
            grouped = f"{int(whole):,}".replace(",", ".")
            out[spec["name"]] = grouped + ("," + fraction if fraction else "")
        else:
            out[spec["name"]] = str(value)
    return out


# --- preview --------------------------------------------------------------------------

SAMPLE_LETTER = {
    "nomor": "470/001/2001/I/2026",
    "tanggal_surat": "2 Januari 2026",
    "berlaku_sampai": "1 Juli 2026",
    "penandatangan": "NAMA PENANDATANGAN",
}


def _preview_context(
    *, letter_type: LetterType, resident: Resident | None, field_values: dict | None
) -> dict[str, str]:
    profile = VillageProfile.objects.get(id=1)
    if resident is None:
        resident = Resident(
            nik="1808110101900001", full_name="NAMA WARGA", birth_place="Tempat Lahir", sex="L"
        )
        resident.birth_date = date(1990, 1, 1)
    values = {f["name"]: f"[{f['label']}]" for f in letter_type.fields}
    if field_values:
        # A preview may show some fields filled and the rest as their labels: values given
        # are checked, missing ones are not an error here.
        lenient = [{**spec, "required": False} for spec in letter_type.fields]
        given = field_values_clean(schema=lenient, values=field_values)
        shown = field_values_display(schema=lenient, values=given)
        values.update({name: text for name, text in shown.items() if name in given})
    return rendering.letter_context(
        resident=resident,
        profile=profile,
        type_name=letter_type.name,
        field_values=values,
        letter={**SAMPLE_LETTER, "jabatan_penandatangan": profile.head_title},
    )


def letter_preview(
    *,
    letter_type: LetterType,
    template: str | None = None,
    resident: Resident | None = None,
    field_values: dict | None = None,
) -> str:
    """Render a template (the saved one or a draft) for a resident or with sample data."""
    text = letter_type.template if template is None else template
    rendering.template_check(text=text, field_names=[f["name"] for f in letter_type.fields])
    context = _preview_context(
        letter_type=letter_type, resident=resident, field_values=field_values
    )
    return rendering.template_render(text=text, context=context)


def letter_preview_pdf(
    *, letter_type: LetterType, template: str | None = None, title: str | None = None
) -> bytes:
    """The PDF a template (saved or draft) would give, with sample data and a sample number.

    Drawn by the same code as a signed letter's PDF, so staff see the real layout; the QR
    code points to a verification address no letter has.
    """
    # Imported here for the reason given in letter_print.
    from services.letters.pdf import letter_pdf

    text = letter_type.template if template is None else template
    title_text = letter_type.title if title is None else title
    rendering.template_check(text=text, field_names=[f["name"] for f in letter_type.fields])
    rendering.template_check(text=title_text, field_names=[], field="title")
    context = _preview_context(letter_type=letter_type, resident=None, field_values=None)
    profile = VillageProfile.objects.get(id=1)
    sample = Letter(
        issued={
            "number": SAMPLE_LETTER["nomor"],
            "date_text": SAMPLE_LETTER["tanggal_surat"],
            "title": rendering.line_render(text=title_text, context=context),
            "body_html": rendering.template_render(text=text, context=context),
            "village": {
                "letterhead": _letterhead(profile),
                "name": profile.name,
                "address": profile.address,
                "phone": profile.phone,
                "email": profile.email,
            },
            "signer": {
                "name": SAMPLE_LETTER["penandatangan"],
                "position": f"{profile.head_title} {profile.name}",
                "on_behalf": "",
            },
            "verification_url": _verification_url("contoh"),
        }
    )
    return letter_pdf(sample)


# --- the workflow ---------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    verb_id: str
    verb_en: str
    note_required: bool = False


TRANSITIONS = {
    "verify": Transition(
        (LetterStatus.REQUESTED,), LetterStatus.VERIFIED, "diverifikasi", "verified"
    ),
    "return": Transition(
        (LetterStatus.REQUESTED, LetterStatus.VERIFIED),
        LetterStatus.RETURNED,
        "dikembalikan",
        "returned",
        note_required=True,
    ),
    "reject": Transition(
        (LetterStatus.REQUESTED, LetterStatus.RETURNED, LetterStatus.VERIFIED),
        LetterStatus.REJECTED,
        "ditolak",
        "rejected",
        note_required=True,
    ),
    "resubmit": Transition(
        (LetterStatus.RETURNED,), LetterStatus.REQUESTED, "diajukan ulang", "resubmitted"
    ),
    "cancel": Transition(
        (LetterStatus.REQUESTED, LetterStatus.RETURNED),
        LetterStatus.CANCELLED,
        "dibatalkan",
        "cancelled",
    ),
    "sign": Transition((LetterStatus.VERIFIED,), LetterStatus.SIGNED, "ditandatangani", "signed"),
    "ready": Transition(
        (LetterStatus.SIGNED,), LetterStatus.READY, "ditandai siap", "marked ready"
    ),
    "pick_up": Transition(
        (LetterStatus.READY,), LetterStatus.PICKED_UP, "ditandai diambil", "marked picked up"
    ),
    "revoke": Transition(
        ISSUED_STATUSES, LetterStatus.REVOKED, "dicabut", "revoked", note_required=True
    ),
}
# Who may take each step besides the owner's own resubmit/cancel (see _authorize).
REVOKER_ROLES = (StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS)


def _status_label(status: str) -> str:
    with translation.override("id"):
        return str(LetterStatus(status).label)


def _forbidden(message: str, message_en: str) -> BalaiError:
    return BalaiError.single("role", "forbidden", message, message_en, status=403)


def _authorize(
    *,
    action: str,
    actor: Any,
    role: str | None,
    letter: Letter,
    options: LetterSettings | None = None,
) -> None:
    if getattr(actor, "is_resident", False):
        if action not in ("resubmit", "cancel") or actor.resident_id != letter.resident_id:
            raise _forbidden(
                "Warga tidak dapat melakukan langkah ini.", "Residents cannot take this step."
            )
        return
    if role is None:
        raise _forbidden("Anda bukan petugas desa ini.", "You are not staff of this village.")
    if action == "sign" and not letter_role_may_sign(role=role, options=options):
        raise _forbidden(
            "Peran Anda tidak diberi wewenang menandatangani surat.",
            "Your role has not been delegated to sign letters.",
        )
    if action == "revoke" and role not in REVOKER_ROLES:
        raise _forbidden(
            "Hanya kepala desa atau sekretaris desa yang dapat mencabut surat.",
            "Only the village head or secretary may revoke a letter.",
        )


def letter_role_may_sign(*, role: str | None, options: LetterSettings | None = None) -> bool:
    """The kepala desa always signs; other roles only when the village delegated signing."""
    if role is None:
        return False
    allowed = (options or letter_settings_get()).signer_roles or [StaffRole.KEPALA_DESA]
    return role == StaffRole.KEPALA_DESA or role in allowed


def letter_actions_available(
    *, role: str | None, letter: Letter, options: LetterSettings | None = None
) -> list[str]:
    """The steps staff with ``role`` may take on ``letter`` now: what a page offers.

    Asks the same checks as the steps themselves (:func:`_authorize`, the transitions'
    source states), so a page never offers a button the service would refuse.
    """
    options = options or letter_settings_get()
    available = []
    for action, transition in TRANSITIONS.items():
        if letter.status not in transition.sources:
            continue
        try:
            _authorize(action=action, actor=None, role=role, letter=letter, options=options)
        except BalaiError:
            continue
        available.append(action)
    return available


def _actor_kind_id(actor: Any) -> tuple[str, int | None]:
    if getattr(actor, "is_resident", False):
        return ActorKind.RESIDENT, actor.resident_id
    return ActorKind.STAFF, actor.pk


def _step(
    *, letter: Letter, from_status: str, actor: Any, role: str | None, note: str = ""
) -> LetterStep:
    kind, actor_id = _actor_kind_id(actor)
    step = LetterStep.objects.create(
        letter=letter,
        from_status=from_status,
        to_status=letter.status,
        actor_kind=kind,
        actor_id=actor_id,
        actor_role=role or "",
        note=note[:500],
    )
    event_record(
        name=LETTER_EVENT,
        payload={
            "letter_id": letter.pk,
            "resident_id": letter.resident_id,
            "letter_type": letter.letter_type.code,
            "from": from_status,
            "to": letter.status,
            "step_id": step.pk,
        },
    )
    return step


def _letter_lock(letter_id: int, *, resident_id: int | None = None) -> Letter:
    query = Letter.objects.select_for_update(of=("self",)).select_related("letter_type")
    if resident_id is not None:
        query = query.filter(resident_id=resident_id)
    letter = query.filter(pk=letter_id).first()
    if letter is None:
        raise BalaiError.single(
            "letter", "not_found", "Surat tidak ditemukan.", "Letter not found.", 404
        )
    return letter


@transaction.atomic
def letter_request(
    *,
    actor: Any,
    role: str | None,
    letter_type_code: str,
    field_values: Any,
    resident_id: int | None = None,
    note: str = "",
) -> Letter:
    """A resident asks online for their own letter, or staff enter one at the counter."""
    is_resident = getattr(actor, "is_resident", False)
    letter_type = LetterType.objects.filter(code=letter_type_code, is_active=True).first()
    if letter_type is None:
        raise _unknown_type(letter_type_code)
    if is_resident:
        resident_id = actor.resident_id
        if not letter_type.online_allowed:
            raise BalaiError.single(
                "letter_type",
                "not_online",
                f"{letter_type.name} hanya dapat diajukan di kantor desa.",
                f"{letter_type.name} can only be requested at the village office.",
            )
    elif role is None:
        raise _forbidden("Anda bukan petugas desa ini.", "You are not staff of this village.")
    resident = Resident.objects.filter(pk=resident_id).first() if resident_id else None
    if resident is None:
        raise BalaiError.single(
            "resident", "unknown_resident", "Penduduk tidak ditemukan.", "Unknown resident."
        )
    if resident.status != ResidentStatus.ALIVE and letter_type.code != "kematian":
        raise BalaiError.single(
            "resident",
            "resident_inactive",
            "Penduduk ini tidak lagi tercatat sebagai warga aktif.",
            "This resident is no longer an active resident.",
        )
    values = field_values_clean(schema=letter_type.fields, values=field_values)
    letter = Letter.objects.create(
        letter_type=letter_type,
        resident=resident,
        channel=Channel.ONLINE if is_resident else Channel.COUNTER,
        field_values=values,
    )
    _step(letter=letter, from_status="", actor=actor, role=role, note=note)
    audit_record(
        actor=actor,
        action="create",
        object_type="letter",
        object_id=letter.pk,
        fields=values,
        detail={"letter_type": letter_type.code},
    )
    return letter


@transaction.atomic
def letter_transition(
    *,
    actor: Any,
    role: str | None,
    letter_id: int,
    action: str,
    note: str = "",
    field_values: Any = None,
) -> Letter:
    """Move a letter one step (verify, return, reject, resubmit, cancel, ready, pick_up,
    revoke; signing is :func:`letter_sign`). An illegal step is a 409 naming both states."""
    if action == "sign":
        return letter_sign(actor=actor, role=role, letter_id=letter_id, note=note)
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise BalaiError.single(
            "action", "unknown_action", f"Langkah tidak dikenal: {action}.", f"Unknown: {action}."
        )
    resident_id = actor.resident_id if getattr(actor, "is_resident", False) else None
    letter = _letter_lock(letter_id, resident_id=resident_id)
    _authorize(action=action, actor=actor, role=role, letter=letter)
    _transition_check(letter, transition)
    note = (note or "").strip()
    if transition.note_required and not note:
        raise BalaiError.single(
            "note", "required", "Alasan/catatan wajib diisi.", "A reason (note) is required."
        )
    update_fields = ["status", "updated_at"]
    if action == "resubmit" and field_values is not None:
        letter.field_values = field_values_clean(
            schema=letter.letter_type.fields, values=field_values
        )
        update_fields.append("field_values")
    if action == "revoke":
        letter.revoked_reason = note[:300]
        update_fields.append("revoked_reason")
    from_status = letter.status
    letter.status = transition.target
    letter.save(update_fields=update_fields)
    _step(letter=letter, from_status=from_status, actor=actor, role=role, note=note)
    audit_record(
        actor=actor,
        action="update",
        object_type="letter",
        object_id=letter.pk,
        fields=["status", *(["field_values"] if "field_values" in update_fields else [])],
        detail={"from": from_status, "to": letter.status},
    )
    return letter


def _transition_check(letter: Letter, transition: Transition) -> None:
    if letter.status not in transition.sources:
        raise BalaiError.single(
            "status",
            "illegal_transition",
            f"Surat berstatus '{_status_label(letter.status)}' tidak dapat {transition.verb_id}.",
            f"A letter in status '{letter.status}' cannot be {transition.verb_en}.",
            status=409,
        )


def _verification_url(token: str) -> str:
    """The public page the QR code points to, on the village's own host."""
    host = (
        Domain.objects.filter(tenant__schema_name=connection.schema_name)
        .order_by("-is_primary", "id")
        .values_list("domain", flat=True)
        .first()
    ) or settings.BALAI_BASE_DOMAIN
    scheme = "https" if settings.PRODUCTION else "http"
    return f"{scheme}://{host}/surat/verifikasi/{token}/"


def _letterhead(profile: VillageProfile) -> list[str]:
    """The kop surat lines: PEMERINTAH KABUPATEN ..., KECAMATAN ..., KAMPUNG ..."""
    parts = profile.region_code.split(".")
    names = dict(
        Region.objects.filter(code__in=[".".join(parts[:2]), ".".join(parts[:3])]).values_list(
            "code", "name"
        )
    )
    lines = []
    regency = names.get(".".join(parts[:2]))
    if regency:
        lines.append(f"PEMERINTAH {regency.upper()}")
    district = names.get(".".join(parts[:3]))
    if district:
        lines.append(f"KECAMATAN {district.upper()}")
    lines.append(f"{profile.local_term.upper()} {profile.name.upper()}")
    return lines


def _signer_block(*, actor: Any, role: str, profile: VillageProfile) -> dict[str, str]:
    name = (actor.get_full_name() or actor.get_username()).strip()
    head = f"{profile.head_title} {profile.name}"
    if role == StaffRole.KEPALA_DESA:
        return {"name": name, "position": head, "on_behalf": ""}
    position = (
        profile.secretary_title if role == StaffRole.SEKRETARIS else str(StaffRole(role).label)
    )
    return {"name": name, "position": position, "on_behalf": f"a.n. {head}"}


@transaction.atomic
def letter_sign(*, actor: Any, role: str | None, letter_id: int, note: str = "") -> Letter:
    """Sign: allocate the number and freeze everything printed on the letter.

    The number comes from :func:`numbering.sequence_next` inside this transaction, so it
    is gapless and unique; the rendered body and signer data are stored, so a re-print
    is the same letter whatever changes later.
    """
    letter = _letter_lock(letter_id)
    options = letter_settings_get()
    _authorize(action="sign", actor=actor, role=role, letter=letter, options=options)
    _transition_check(letter, TRANSITIONS["sign"])
    assert role is not None  # _authorize refuses residents and non-staff
    letter_type = letter.letter_type
    profile = VillageProfile.objects.get(id=1)
    resident = Resident.objects.select_related("family", "rt__parent__parent").get(
        pk=letter.resident_id
    )
    signed_at = timezone.now()
    today = timezone.localdate(signed_at)
    valid_until = (
        today + timedelta(days=letter_type.validity_days) if letter_type.validity_days else None
    )
    signer = _signer_block(actor=actor, role=role, profile=profile)
    token = secrets.token_urlsafe(24)
    context = rendering.letter_context(
        resident=resident,
        profile=profile,
        type_name=letter_type.name,
        field_values=field_values_display(schema=letter_type.fields, values=letter.field_values),
        letter={
            "tanggal_surat": rendering.date_id(today),
            "berlaku_sampai": rendering.date_id(valid_until) if valid_until else "-",
            "penandatangan": signer["name"],
            "jabatan_penandatangan": signer["position"],
        },
    )
    issued = {
        "type_code": letter_type.code,
        "type_name": letter_type.name,
        "date": today.isoformat(),
        "date_text": rendering.date_id(today),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "village": {
            "letterhead": _letterhead(profile),
            "name": profile.name,
            "local_term": profile.local_term,
            "head_title": profile.head_title,
            "address": profile.address,
            "phone": profile.phone,
            "email": profile.email,
            "region_code": profile.region_code,
        },
        "signer": signer,
        "masked_name": rendering.name_mask(resident.full_name),
        "verification_url": _verification_url(token),
    }
    from_status = letter.status
    letter.status = LetterStatus.SIGNED
    _step(letter=letter, from_status=from_status, actor=actor, role=role, note=note)
    audit_record(
        actor=actor,
        action="update",
        object_type="letter",
        object_id=letter.pk,
        fields=["status", "number"],
        detail={"from": from_status, "to": letter.status},
    )

    # The number is taken last: from here to the commit the year's counter row is locked
    # and every other signer of the village waits, so only the number's own work is left.
    scope = letter_type.code if options.sequence_scope == SequenceScope.TYPE else ""
    sequence = sequence_next(year=today.year, scope=scope)
    number = number_format(
        text=options.number_format,
        classification=letter_type.classification_code,
        seq=sequence,
        village_code=profile.region_code.rsplit(".", 1)[-1],
        on=today,
        type_code=letter_type.code,
    )
    if Letter.objects.filter(number=number).exists():
        # Raising rolls the counter back too: no number is lost.
        raise BalaiError.single(
            "number_format",
            "number_conflict",
            f"Nomor {number} sudah dipakai surat lain: dengan urutan per jenis surat, "
            "format nomor perlu memuat {type_code} atau kode klasifikasi yang berbeda.",
            f"Number {number} is already used: with one sequence per letter type the format "
            "needs {type_code} or distinct classification codes.",
            status=409,
        )
    context["nomor"] = number
    issued["number"] = number
    issued["title"] = rendering.line_render(text=letter_type.title, context=context)
    issued["body_html"] = rendering.template_render(text=letter_type.template, context=context)
    letter.issued = issued
    letter.number = number
    letter.number_year = today.year
    letter.sequence = sequence
    letter.token = token
    letter.signed_at = signed_at
    letter.signed_by_id = actor.pk
    letter.save(
        update_fields=[
            "issued",
            "status",
            "number",
            "number_year",
            "sequence",
            "token",
            "signed_at",
            "signed_by_id",
            "updated_at",
        ]
    )
    return letter


def letter_print(*, actor: Any, letter: Letter) -> bytes:
    """The letter's PDF, with an audit entry saying who printed it."""
    # Imported here, not at the top: WeasyPrint takes ~1 s to import (measured), and most
    # processes that load this module (workers, onboarding) never print.
    from services.letters.pdf import letter_pdf

    if letter.status not in ISSUED_STATUSES or not letter.issued:
        raise BalaiError.single(
            "status",
            "not_signed",
            "Surat belum ditandatangani atau sudah dicabut.",
            "The letter is not signed, or it was revoked.",
            status=409,
        )
    # Rendered first, outside any transaction: the audit row is written once there is a
    # PDF to hand over, and no transaction stays open while WeasyPrint works.
    pdf = letter_pdf(letter)
    audit_record(actor=actor, action="print", object_type="letter", object_id=letter.pk)
    return pdf
