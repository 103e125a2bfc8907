"""The PDF of a signed letter, drawn only from what was stored at signing.

Nothing here reads the template, the resident or the village profile again: a re-print
is the letter as it was signed. The HTML comes from our own template file; the body was
rendered (and escaped) at signing by services.letters.rendering.
"""

from __future__ import annotations

import os

import segno
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import HTML

from services.letters.models import Letter

# Without the system's HarfBuzz-subset, WeasyPrint subsets fonts with fontTools, which
# stamps each font with the current time unless SOURCE_DATE_EPOCH is set: two prints of
# the same letter a second apart would then differ byte for byte.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")


def qr_data_uri(url: str) -> str:
    """The verification URL as an SVG QR code (error correction M survives a stamp's smudge)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=1)


def letter_html(letter: Letter) -> str:
    issued = letter.issued
    return render_to_string(
        "letters/letter_pdf.html",
        {
            "issued": issued,
            # Escaped by the renderer at signing time; stored, never edited afterwards.
            "title": mark_safe(issued["title"]),  # noqa: S308
            "body": mark_safe(issued["body_html"]),  # noqa: S308
            "qr": qr_data_uri(issued["verification_url"]),
        },
    )


def letter_pdf(letter: Letter) -> bytes:
    # No base_url: the document may not load anything from outside (files or network).
    return HTML(string=letter_html(letter)).write_pdf()
