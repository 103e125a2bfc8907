"""Forms of the village areas page (dusun, RW, RT). The rules (levels, parents, unique names,
areas still in use) stay in services.village.services, whose errors land on the named field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from services.village.models import AreaLevel


class AreaForm(forms.Form):
    level = forms.ChoiceField(label=_("Tingkat"), choices=AreaLevel.choices)
    # Empty for a dusun; the service checks that RW sit in a dusun and RT in an RW.
    parent = forms.TypedChoiceField(
        label=_("Di bawah"), coerce=int, required=False, empty_value=None
    )
    # Required by the service, which says so in both languages.
    name = forms.CharField(label=_("Nama"), max_length=60, required=False)

    def __init__(self, *args, parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("— tidak ada (dusun) —")), *parents]


class AreaRenameForm(forms.Form):
    name = forms.CharField(label=_("Nama baru"), max_length=60, required=False)
