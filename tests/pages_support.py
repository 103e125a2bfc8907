"""Test helpers the page tests share."""

from __future__ import annotations

from django.test import Client

from tests.conftest import RESIDENT_PIN, client_for


def resident_a_signed_in(cast) -> Client:
    """A client of village A's host signed in as the cast's resident, through the login page."""
    client = client_for(cast.village_a)
    response = client.post(
        "/masuk/",
        {"kind": "resident", "resident-nik": cast.resident_a_nik, "resident-pin": RESIDENT_PIN},
    )
    assert response.status_code == 302
    return client
