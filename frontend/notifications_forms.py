"""Forms of the notification pages; services.notifications checks the values."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from services.notifications.models import Channel, MessageStatus


class PreferenceForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("Saluran yang saya terima"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tidak memilih apa pun berarti semua saluran. Kotak masuk aplikasi selalu dipakai "
            "sebagai cadangan terakhir."
        ),
    )
    announcements = forms.BooleanField(
        label=_("Kirimi saya pengumuman desa"), required=False, initial=True
    )
    language = forms.ChoiceField(
        label=_("Bahasa pesan"),
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
        required=False,
    )


class MessageLogFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Semua")), *MessageStatus.choices]
    )
    channel = forms.ChoiceField(
        label=_("Saluran"), required=False, choices=[("", _("Semua")), *Channel.choices]
    )
