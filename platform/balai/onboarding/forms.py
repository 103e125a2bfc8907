from django import forms
from django.utils.translation import gettext_lazy as _

from balai.accounts.models import StaffRole
from balai.onboarding.services import LOCAL_TERMS


class VillageOnboardForm(forms.Form):
    region_code = forms.CharField(
        label=_("Kode wilayah desa"), max_length=13, help_text="PP.KK.CC.VVVV, mis. 18.08.11.2001"
    )
    name = forms.CharField(
        label=_("Nama"),
        max_length=120,
        required=False,
        help_text=_("Kosongkan untuk memakai nama wilayah."),
    )
    slug = forms.CharField(label=_("Subdomain"), max_length=63)
    local_term = forms.ChoiceField(
        label=_("Sebutan"),
        initial="desa",
        choices=[(term, term.title()) for term in sorted(LOCAL_TERMS)],
    )
    admin_username = forms.CharField(label=_("Admin pertama (nama pengguna)"), max_length=150)
    admin_email = forms.EmailField(label=_("Email admin"), required=False)
    admin_password = forms.CharField(
        label=_("Kata sandi admin"),
        required=False,
        widget=forms.PasswordInput,
        min_length=8,
        help_text=_("Kosongkan untuk dibuatkan otomatis."),
    )
    admin_role = forms.ChoiceField(
        label=_("Peran"), choices=StaffRole.choices, initial=StaffRole.KEPALA_DESA
    )
