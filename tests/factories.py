"""Factories for test data. Village-local factories must run with the village schema active."""

from __future__ import annotations

import datetime
import itertools

import factory

from balai.accounts.models import User
from services.residents.models import Resident

_nik_serial = itertools.count(1)


def make_nik(*, birth: datetime.date = datetime.date(1990, 5, 17), female: bool = False) -> str:
    day = birth.day + (40 if female else 0)
    return f"180811{day:02d}{birth.month:02d}{birth.year % 100:02d}{next(_nik_serial) % 10000:04d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "kata-sandi-uji-123")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    full_name = factory.Sequence(lambda n: f"Warga Uji {n}")
    birth_date = datetime.date(1990, 5, 17)
    sex = "L"
    nik = factory.LazyAttribute(lambda r: make_nik(birth=r.birth_date, female=r.sex == "P"))
