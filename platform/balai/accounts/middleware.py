from django.http import HttpRequest

from balai.accounts.principals import RESIDENT_SESSION_KEY, ResidentPrincipal


class ResidentSessionMiddleware:
    """Sets ``request.resident`` from the session, only on the village that issued it.

    A session copied to another village's host carries the other schema's name and is
    ignored there, so resident id 5 of village A is never taken for resident 5 of B.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.resident = None
        village = getattr(request, "village", None)
        data = request.session.get(RESIDENT_SESSION_KEY) if village is not None else None
        if data and data.get("schema") == village.schema_name:
            request.resident = ResidentPrincipal(
                schema_name=village.schema_name,
                account_id=data["account"],
                resident_id=data["resident"],
            )
        return self.get_response(request)
