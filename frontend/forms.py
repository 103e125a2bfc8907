"""Forms of the pages. They parse and label input; the rules stay in the service functions."""

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from balai.errors import BalaiError


def balai_error_messages(error: BalaiError) -> list[str]:
    english = translation.get_language() == "en"
    return [e.message_en if english else e.message for e in error.errors]


def add_balai_errors(form: forms.Form, error: BalaiError) -> None:
    """Show a service's errors on the form: on the field it names, else above the form."""
    for field_error, message in zip(error.errors, balai_error_messages(error), strict=True):
        form.add_error(field_error.field if field_error.field in form.fields else None, message)


class ResidentLoginForm(forms.Form):
    nik = forms.CharField(
        label="NIK",
        max_length=16,
        min_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username"}),
    )
    pin = forms.CharField(
        label="PIN",
        max_length=6,
        min_length=6,
        widget=forms.PasswordInput(
            attrs={"inputmode": "numeric", "autocomplete": "current-password"}
        ),
    )


class UserLoginForm(forms.Form):
    username = forms.CharField(
        label=_("Nama pengguna"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class VillageFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari"), required=False, max_length=120)
    kabupaten = forms.ChoiceField(label=_("Kabupaten/kota"), required=False)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua")), ("active", _("Aktif")), ("suspended", _("Ditangguhkan"))],
    )

    def __init__(self, *args, kabupaten_choices=(), kecamatan_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kabupaten"].choices = [("", _("Semua")), *kabupaten_choices]
        self.fields["kecamatan"].choices = [("", _("Semua")), *kecamatan_choices]


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan penangguhan"),
        max_length=300,
        # The service refuses an empty reason with its own message; no browser check first.
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BulkOnboardingForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas CSV desa"),
        help_text=_(
            "Kolom: region_code, slug, admin_username (wajib); name, local_term, "
            "admin_email, admin_password (boleh kosong). Maks. 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
