"""DRF authentication for residents (session and token) on village hosts."""

from __future__ import annotations

from rest_framework import authentication, exceptions

from balai.accounts.principals import ResidentPrincipal


class ResidentSessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        principal = getattr(request._request, "resident", None)
        if principal is None:
            return None
        # The session outlives the account: a resident removed from the register (or
        # whose account was deleted) must be logged out, not answered with a 500.
        from services.residents.models import ResidentAccount  # village app, loaded later

        if not ResidentAccount.objects.filter(
            pk=principal.account_id, resident_id=principal.resident_id
        ).exists():
            return None
        self.enforce_csrf(request)
        return principal, None


class ResidentTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Resident <token>``; tokens live in the village schema."""

    keyword = "Resident"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        village = getattr(request._request, "village", None)
        if len(header) != 2 or village is None:
            raise exceptions.AuthenticationFailed("Invalid resident token.")
        # Imported here: the residents app is a village app, loaded after accounts.
        from services.residents.models import ResidentToken
        from services.residents.services import token_hash

        token = (
            ResidentToken.objects.select_related("account")
            .filter(key_hash=token_hash(header[1].decode(errors="replace")))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid resident token.")
        principal = ResidentPrincipal(
            schema_name=village.schema_name,
            account_id=token.account_id,
            resident_id=token.account.resident_id,
        )
        return principal, token

    def authenticate_header(self, request):
        return self.keyword
