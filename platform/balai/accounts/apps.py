from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Global accounts and roles. SHARED app: lives in the public schema.

    Platform admins, kabupaten/kecamatan supervisors and village staff are global users;
    a supervisor's scope is one region row, a staff member's role is one membership row
    per village. Residents are village-local (services.residents) and log in with NIK+PIN.
    """

    name = "balai.accounts"
    label = "accounts"
    verbose_name = "Akun"
