"""Letter numbers: gapless and unique under concurrent signing, yearly, per scope."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from balai.accounts.models import StaffRole, User
from balai.errors import BalaiError
from services.audit.models import AuditEntry
from services.events.models import DomainEvent
from services.letters.models import Letter, LetterCounter, LetterStatus
from services.letters.numbering import sequence_next
from services.letters.services import letter_request, letter_sign, letter_transition
from services.residents.models import Resident

THREADS = 8
LETTERS_PER_THREAD = 5


def _committed(schema_name: str, work):
    """Run ``work`` on a connection of its own (a fresh thread), so what it writes commits
    at once and is seen by every other connection, unlike writes in the test transaction."""

    def run():
        try:
            with schema_context(schema_name):
                return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _verified_letters(*, alice: User, count: int) -> list[int]:
    resident = Resident.objects.get(full_name="Siti Aminah")
    ids = []
    for _ in range(count):
        letter = letter_request(
            actor=alice,
            role=StaffRole.KEPALA_DESA,
            letter_type_code="pengantar-skck",
            field_values={"keperluan": "Melamar kerja"},
            resident_id=resident.pk,
        )
        letter_transition(
            actor=alice, role=StaffRole.KEPALA_DESA, letter_id=letter.pk, action="verify"
        )
        ids.append(letter.pk)
    return ids


@pytest.mark.commits
def test_letters_signed_from_eight_threads_get_numbers_without_gaps_or_duplicates(cast):
    # given: 40 verified letters, committed, and the year's counter as it was before
    village, alice = cast.village_a, cast.alice
    year = timezone.localdate().year
    total = THREADS * LETTERS_PER_THREAD
    before = _committed(
        village.schema_name, lambda: LetterCounter.objects.filter(year=year, scope="").first()
    )
    start = before.value if before else 0
    letter_ids = _committed(
        village.schema_name, lambda: _verified_letters(alice=alice, count=total)
    )
    barrier = threading.Barrier(THREADS)

    def sign_share(share: list[int]) -> list[int]:
        # Each thread has its own Django connection (connections are thread-local).
        try:
            with schema_context(village.schema_name):
                barrier.wait()
                return [
                    letter_sign(actor=alice, role=StaffRole.KEPALA_DESA, letter_id=letter_id).pk
                    for letter_id in share
                ]
        finally:
            connection.close()

    try:
        # when: eight threads sign at the same moment
        shares = [letter_ids[i::THREADS] for i in range(THREADS)]
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            signed = [pk for result in pool.map(sign_share, shares) for pk in result]

        # then: every letter signed, numbered start+1 .. start+40 exactly once
        assert sorted(signed) == sorted(letter_ids)
        rows, counter = _committed(
            village.schema_name,
            lambda: (
                list(
                    Letter.objects.filter(pk__in=letter_ids).values_list(
                        "status", "sequence", "number"
                    )
                ),
                LetterCounter.objects.get(year=year, scope="").value,
            ),
        )
        assert {status for status, _, _ in rows} == {LetterStatus.SIGNED}
        assert sorted(seq for _, seq, _ in rows) == list(range(start + 1, start + total + 1))
        assert len({number for _, _, number in rows}) == total
        assert counter == start + total
    finally:

        def clean_up():
            DomainEvent.objects.filter(payload__letter_id__in=letter_ids).delete()
            AuditEntry.objects.filter(
                object_type="letter", object_id__in=[str(pk) for pk in letter_ids]
            ).delete()
            Letter.objects.filter(pk__in=letter_ids).delete()
            if before is None:
                LetterCounter.objects.filter(year=year, scope="").delete()
            else:
                LetterCounter.objects.filter(pk=before.pk).update(value=before.value)

        _committed(village.schema_name, clean_up)


def test_sequence_restarts_each_year_and_counts_per_scope(cast):
    with schema_context(cast.village_a.schema_name):
        first = [sequence_next(year=2031, scope="") for _ in range(3)]
        next_year = sequence_next(year=2032, scope="")
        per_type = [sequence_next(year=2031, scope="usaha") for _ in range(2)]

    assert first == [1, 2, 3]
    assert next_year == 1
    assert per_type == [1, 2]


def test_per_type_sequences_number_each_type_from_one(cast):
    # given: one sequence per letter type, and a verified letter of two types
    with schema_context(cast.village_a.schema_name):
        from services.letters.services import letter_settings_update

        letter_settings_update(actor=cast.alice, changes={"sequence_scope": "type"})
        domisili, sktm = (
            letter_request(
                actor=cast.alice,
                role=StaffRole.KEPALA_DESA,
                letter_type_code=code,
                field_values={"keperluan": "Sekolah"},
                resident_id=cast.resident_a.pk,
            )
            for code in ("domisili", "sktm")
        )
        for letter in (domisili, sktm):
            letter_transition(
                actor=cast.alice, role=StaffRole.KEPALA_DESA, letter_id=letter.pk, action="verify"
            )

        # when
        numbers = [
            letter_sign(actor=cast.alice, role=StaffRole.KEPALA_DESA, letter_id=letter.pk).number
            for letter in (domisili, sktm)
        ]

    # then
    assert numbers[0].startswith("470/001/2001/")
    assert numbers[1].startswith("400/001/2001/")


def test_a_number_clash_is_refused_and_gives_its_number_back(cast):
    # given: per-type numbering where two types share classification 470
    with schema_context(cast.village_a.schema_name):
        from services.letters.services import letter_settings_update

        letter_settings_update(actor=cast.alice, changes={"sequence_scope": "type"})
        letters = [
            letter_request(
                actor=cast.alice,
                role=StaffRole.KEPALA_DESA,
                letter_type_code=code,
                field_values=fields,
                resident_id=cast.resident_a.pk,
            )
            for code, fields in (
                ("domisili", {"keperluan": "Sekolah"}),
                ("pengantar", {"keperluan": "Sekolah", "tujuan": "Camat"}),
            )
        ]
        for letter in letters:
            letter_transition(
                actor=cast.alice, role=StaffRole.KEPALA_DESA, letter_id=letter.pk, action="verify"
            )
        letter_sign(actor=cast.alice, role=StaffRole.KEPALA_DESA, letter_id=letters[0].pk)

        # when
        with pytest.raises(BalaiError) as caught:
            letter_sign(actor=cast.alice, role=StaffRole.KEPALA_DESA, letter_id=letters[1].pk)

        # then: a 409 that says how to fix the format, and the counter was not used up
        year = timezone.localdate().year
        counter = LetterCounter.objects.filter(year=year, scope="pengantar").first()
        status = Letter.objects.get(pk=letters[1].pk).status
    assert caught.value.status == 409
    assert caught.value.errors[0].code == "number_conflict"
    assert "{type_code}" in caught.value.errors[0].message_en
    assert counter is None or counter.value == 0
    assert status == LetterStatus.VERIFIED
