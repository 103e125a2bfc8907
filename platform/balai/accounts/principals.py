"""The resident as a request principal, beside Django's global users."""

from __future__ import annotations

from dataclasses import dataclass

RESIDENT_SESSION_KEY = "balai_resident"


@dataclass(frozen=True)
class ResidentPrincipal:
    """A logged-in resident of one village. Bound to that village's schema name."""

    schema_name: str
    account_id: int
    resident_id: int

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_resident = True
    is_staff = False
    is_superuser = False
    is_platform_admin = False

    @property
    def pk(self) -> str:
        return f"resident:{self.schema_name}:{self.account_id}"

    def get_username(self) -> str:
        return self.pk
