"""Certificate PDFs of attendance, for village and kecamatan programmes alike.

Drawn like the letters (services.letters.pdf): our own HTML template, WeasyPrint with no
base_url (nothing loaded from outside), and a QR code of the verification address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from balai.errors import BalaiError
from services.letters.pdf import qr_data_uri


@dataclass(frozen=True)
class Certificate:
    programme_title: str
    organiser: str  # "Kampung Negara Batin" or "Kecamatan 18.08.11"
    person_name: str
    starts_at: datetime
    attended_at: datetime
    code: str
    verification_url: str


def certificate_check(registration) -> None:
    if registration.attended_at is None or not registration.certificate_code:
        raise BalaiError.single(
            "registration",
            "not_attended",
            "Sertifikat hanya untuk peserta yang hadir.",
            "Certificates are only for those who attended.",
            status=404,
        )


def certificate_pdf(certificate: Certificate) -> bytes:
    html = render_to_string(
        "learning/certificate_pdf.html",
        {
            "c": certificate,
            "date": timezone.localtime(certificate.starts_at).date(),
            "qr": qr_data_uri(certificate.verification_url),
        },
    )
    return HTML(string=html).write_pdf()
