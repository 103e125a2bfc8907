"""Serving a village's public images (news covers, officials, the logo, businesses and
products).

Only from the requesting host's own folder: the schema in the path must be the host's
village, the folder one of the public ones, and the name one our upload code makes, so a
path can never reach another village's files or anything outside MEDIA_ROOT. Complaint
photos are private and have their own view (services.complaints.views.photo_view).
"""

import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

PUBLIC_FOLDERS = {"news", "officials", "economy", "logo"}
NAME = re.compile(r"^[A-Za-z0-9_-]{16,64}\.(jpg|jpeg|png|webp)$")
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}


@require_safe
def village_media(request: HttpRequest, schema: str, folder: str, name: str) -> FileResponse:
    village = getattr(request, "village", None)
    if village is None or schema != village.schema_name:
        raise Http404
    if folder not in PUBLIC_FOLDERS or not NAME.match(name):
        raise Http404
    path = Path(settings.MEDIA_ROOT) / "villages" / schema / folder / name
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]])
    # Stored names are random and never reused, so a cached copy can never go stale.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
