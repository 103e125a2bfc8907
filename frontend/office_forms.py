"""Forms of the village office pages: staff roles and the audit log's filters.

They parse and label input; who may hold which role, and what is recorded, stays in
balai.accounts.services and services.audit.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from balai.accounts.models import StaffRole
from services.audit.models import ActorKind, AuditAction


def _role_choices() -> list[tuple[str, str]]:
    return [("", _("Pilih peran")), *StaffRole.choices]


class StaffMemberAddForm(forms.Form):
    username = forms.CharField(
        label=_("Nama pengguna"),
        max_length=150,
        help_text=_("Akun yang sudah ada, atau nama pengguna baru untuk membuat akun."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    first_name = forms.CharField(label=_("Nama lengkap"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Peran"), choices=_role_choices)
    password = forms.CharField(
        label=_("Kata sandi awal"),
        max_length=256,
        required=False,
        help_text=_("Hanya untuk akun baru. Kosongkan agar Balai membuatkan kata sandi."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Peran"), choices=_role_choices)


class AuditFilterForm(forms.Form):
    actor = forms.ChoiceField(label=_("Pelaku"), required=False)
    action = forms.ChoiceField(
        label=_("Tindakan"), required=False, choices=[("", _("Semua")), *AuditAction.choices]
    )
    object_type = forms.ChoiceField(label=_("Jenis data"), required=False)
    date_from = forms.DateField(
        label=_("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, staff_choices=(), object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [
            ("", _("Semua")),
            *staff_choices,
            (ActorKind.RESIDENT.value, _("Warga (semua)")),
            (ActorKind.SYSTEM.value, _("Sistem")),
        ]
        self.fields["object_type"].choices = [("", _("Semua")), *object_types]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Tanggal akhir tidak boleh sebelum tanggal awal."))
        return data
