"""The register's service functions: people, families, population events, the past register."""

import datetime

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from balai.errors import BalaiError
from balai.supervision.models import NikFingerprint
from balai.supervision.nik_index import nik_hash
from services.audit.models import AuditEntry
from services.events.models import DomainEvent
from services.residents import selectors, services
from services.residents.models import Family, PopulationEvent, Resident
from services.residents.reference import EventKind, ResidentStatus

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def in_village_a(cast):
    with schema_context(cast.village_a.schema_name):
        yield cast
    connection.set_schema_to_public()


def person(**overrides) -> dict:
    """A valid record: NIK 1808111705900001 matches a man born 17 May 1990."""
    data = {
        "nik": "1808111705900001",
        "full_name": "Ahmad Fauzi",
        "birth_place": "Way Kanan",
        "birth_date": datetime.date(1990, 5, 17),
        "sex": "L",
        "religion": "islam",
        "occupation": "petani_pekebun",
    }
    data.update(overrides)
    return data


def raised(call, **kwargs) -> list:
    with pytest.raises(BalaiError) as info:
        call(**kwargs)
    return info.value.errors


def test_creating_a_person_registers_them_with_an_event_an_audit_row_and_an_index_row(
    in_village_a,
):
    cast = in_village_a
    # when
    resident = services.resident_create(actor=cast.alice, data=person())
    # then
    assert resident.status == ResidentStatus.ALIVE
    event = PopulationEvent.objects.get(resident=resident)
    assert (event.kind, event.event_date, event.recorded_by_id) == (
        EventKind.REGISTERED,
        TODAY,
        cast.alice.pk,
    )
    entry = AuditEntry.objects.get(object_type="resident", object_id=str(resident.pk))
    assert (entry.actor_kind, entry.actor_id, entry.action) == ("user", cast.alice.pk, "create")
    assert "nik" in entry.fields and "full_name" in entry.fields
    # the audit row names the fields, never their values
    assert "Ahmad" not in str(entry.fields) + str(entry.detail)
    assert "1808111705900001" not in str(entry.fields) + str(entry.detail)
    assert DomainEvent.objects.filter(name="resident.created").exists()
    assert NikFingerprint.objects.filter(
        nik_hash=nik_hash("1808111705900001"), village_code="18.08.11.2001"
    ).exists()


def test_a_person_without_nik_gets_a_temporary_identifier_that_cannot_be_a_nik(in_village_a):
    first = services.resident_create(actor=in_village_a.alice, data=person(nik=""))
    second = services.resident_create(actor=in_village_a.alice, data=person(nik=""))
    for resident in (first, second):
        assert len(resident.nik) == 16 and resident.nik.isdigit()
        assert resident.nik.startswith("0")
        assert resident.has_temporary_nik
    assert first.nik != second.nik
    # temporary identifiers are village-local: not in the duplicate index
    assert not NikFingerprint.objects.filter(nik_hash=nik_hash(first.nik)).exists()


def test_replacing_the_temporary_identifier_with_the_real_nik_is_an_audited_update(
    in_village_a,
):
    cast = in_village_a
    resident = services.resident_create(actor=cast.alice, data=person(nik=""))
    # when
    services.resident_update(
        actor=cast.alice, resident=resident, changes={"nik": "1808111705900001"}
    )
    # then
    resident.refresh_from_db()
    assert resident.nik == "1808111705900001"
    entry = AuditEntry.objects.filter(action="update", object_id=str(resident.pk)).get()
    assert entry.fields == ["nik"]
    assert entry.detail == {"temporary_nik_replaced": True}
    assert NikFingerprint.objects.filter(nik_hash=nik_hash("1808111705900001")).exists()


def test_a_nik_is_unique_within_the_village_and_the_error_names_the_field(in_village_a):
    services.resident_create(actor=in_village_a.alice, data=person())
    before = Resident.objects.count()
    errors = raised(
        services.resident_create,
        actor=in_village_a.alice,
        data=person(full_name="Orang Lain"),
    )
    assert [(e.field, e.code) for e in errors] == [("nik", "nik_taken")]
    assert errors[0].message != errors[0].message_en
    assert Resident.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"nik": "180811170590001"}, "nik", "nik_length"),
        ({"nik": "18081117059000AB"}, "nik", "nik_not_digits"),
        ({"nik": "0808111705900001"}, "nik", "nik_zero_prefix"),
        ({"birth_date": TODAY + datetime.timedelta(days=1)}, "birth_date", "birth_date_future"),
        ({"religion": "jedi"}, "religion", "invalid_choice"),
        ({"sex": "X"}, "sex", "invalid_choice"),
        ({"full_name": "  "}, "full_name", "required"),
    ],
)
def test_bad_input_is_refused_naming_the_field_in_both_languages_and_nothing_is_written(
    in_village_a, overrides, field, code
):
    before = (Resident.objects.count(), PopulationEvent.objects.count(), AuditEntry.objects.count())
    errors = raised(services.resident_create, actor=in_village_a.alice, data=person(**overrides))
    assert (errors[0].field, errors[0].code) == (field, code)
    assert errors[0].message and errors[0].message_en and errors[0].message != errors[0].message_en
    after = (Resident.objects.count(), PopulationEvent.objects.count(), AuditEntry.objects.count())
    assert after == before


def test_a_nik_disagreeing_with_the_birth_date_is_a_warning_staff_must_acknowledge(
    in_village_a,
):
    data = person(birth_date=datetime.date(1991, 5, 17))
    errors = raised(services.resident_create, actor=in_village_a.alice, data=data)
    assert [(e.field, e.code) for e in errors] == [("nik", "nik_mismatch")]
    assert not Resident.objects.filter(nik=data["nik"]).exists()
    # when acknowledged
    resident = services.resident_create(
        actor=in_village_a.alice, data=data, acknowledge_warnings=True
    )
    assert resident.nik_warning_acknowledged


def test_a_nik_with_the_female_day_for_a_man_is_a_warning_too(in_village_a):
    errors = raised(
        services.resident_create, actor=in_village_a.alice, data=person(nik="1808115705900099")
    )
    assert errors[0].code == "nik_mismatch"
    assert "jenis kelamin" in errors[0].message


def test_an_update_never_changes_the_status(in_village_a):
    resident = services.resident_create(actor=in_village_a.alice, data=person())
    errors = raised(
        services.resident_update,
        actor=in_village_a.alice,
        resident=resident,
        changes={"status": ResidentStatus.DIED},
    )
    assert errors[0].field == "status"
    resident.refresh_from_db()
    assert resident.status == ResidentStatus.ALIVE


def test_a_death_is_an_event_that_changes_the_status_and_keeps_the_person(in_village_a):
    cast = in_village_a
    resident = services.resident_create(
        actor=cast.alice, data=person(), arrival_date=datetime.date(2020, 1, 1)
    )
    # when
    services.resident_record_death(
        actor=cast.alice, resident=resident, event_date=datetime.date(2024, 3, 1)
    )
    # then
    resident.refresh_from_db()
    assert resident.status == ResidentStatus.DIED
    assert list(resident.events.values_list("kind", flat=True)) == ["pendataan", "mati"]
    assert not NikFingerprint.objects.filter(nik_hash=nik_hash(resident.nik)).exists()
    # and a second death is refused
    errors = raised(
        services.resident_record_death,
        actor=cast.alice,
        resident=resident,
        event_date=datetime.date(2024, 3, 2),
    )
    assert errors[0].code == "event_not_allowed"


@pytest.mark.parametrize(
    ("event_date", "code"),
    [
        (TODAY + datetime.timedelta(days=1), "event_date_future"),
        (datetime.date(1989, 1, 1), "event_before_birth"),
        (datetime.date(2019, 12, 31), "event_before_latest"),
    ],
)
def test_impossible_event_dates_are_refused(in_village_a, event_date, code):
    resident = services.resident_create(
        actor=in_village_a.alice, data=person(), arrival_date=datetime.date(2020, 1, 1)
    )
    errors = raised(
        services.resident_record_move_out,
        actor=in_village_a.alice,
        resident=resident,
        event_date=event_date,
    )
    assert (errors[0].field, errors[0].code) == ("event_date", code)
    resident.refresh_from_db()
    assert resident.status == ResidentStatus.ALIVE


def test_moving_out_and_back_and_going_missing_and_being_found(in_village_a):
    alice = in_village_a.alice
    resident = services.resident_create(
        actor=alice, data=person(), arrival_date=datetime.date(2020, 1, 1)
    )
    services.resident_record_move_out(
        actor=alice, resident=resident, event_date=datetime.date(2021, 1, 1)
    )
    resident.refresh_from_db()
    assert resident.status == ResidentStatus.MOVED_OUT
    services.resident_record_move_in(
        actor=alice, resident=resident, event_date=datetime.date(2022, 1, 1)
    )
    services.resident_record_missing(
        actor=alice, resident=resident, event_date=datetime.date(2023, 1, 1)
    )
    resident.refresh_from_db()
    assert resident.status == ResidentStatus.MISSING
    services.resident_record_found(
        actor=alice, resident=resident, event_date=datetime.date(2023, 2, 1)
    )
    resident.refresh_from_db()
    assert resident.status == ResidentStatus.ALIVE
    assert NikFingerprint.objects.filter(nik_hash=nik_hash(resident.nik)).exists()


def test_a_birth_creates_the_person_and_the_birth_event_on_the_birth_date(in_village_a):
    born = datetime.date(2024, 6, 1)
    baby = services.resident_record_birth(
        actor=in_village_a.alice,
        data={"full_name": "Bayi Aminah", "sex": "P", "birth_date": born, "nik": ""},
    )
    assert baby.has_temporary_nik
    assert list(baby.events.values_list("kind", "event_date")) == [(EventKind.BIRTH, born)]


def test_a_newcomer_moves_in_as_a_new_person(in_village_a):
    arrived = datetime.date(2024, 2, 1)
    newcomer = services.resident_record_move_in(
        actor=in_village_a.alice, event_date=arrived, data=person()
    )
    assert list(newcomer.events.values_list("kind", "event_date")) == [(EventKind.MOVE_IN, arrived)]


def test_one_entry_point_records_any_event_of_a_person_already_registered(in_village_a):
    alice = in_village_a.alice
    resident = services.resident_create(
        actor=alice, data=person(), arrival_date=datetime.date(2020, 1, 1)
    )
    for kind, day in [(EventKind.MOVE_OUT, 1), (EventKind.MOVE_IN, 2), (EventKind.DEATH, 3)]:
        event = services.resident_record_event(
            actor=alice, resident=resident, kind=kind, event_date=datetime.date(2021, 1, day)
        )
        assert (event.kind, event.resident_id) == (kind, resident.pk)
    resident.refresh_from_db()
    assert resident.status == ResidentStatus.DIED
    # A birth or a first registration is no event of someone already in the register.
    errors = raised(
        services.resident_record_event,
        actor=alice,
        resident=resident,
        kind=EventKind.BIRTH,
        event_date=TODAY,
    )
    assert [(e.field, e.code) for e in errors] == [("kind", "invalid_choice")]


def test_a_new_person_arrives_by_birth_on_the_birth_date_or_else_on_the_given_date(
    in_village_a,
):
    alice = in_village_a.alice
    born = datetime.date(2024, 6, 1)
    baby = services.resident_arrive(
        actor=alice,
        data={"full_name": "Bayi Aminah", "sex": "P", "birth_date": born, "nik": ""},
        arrival=EventKind.BIRTH,
        arrival_date=datetime.date(2024, 7, 1),
    )
    assert list(baby.events.values_list("kind", "event_date")) == [(EventKind.BIRTH, born)]
    arrived = datetime.date(2024, 2, 1)
    newcomer = services.resident_arrive(
        actor=alice, data=person(), arrival=EventKind.MOVE_IN, arrival_date=arrived
    )
    assert list(newcomer.events.values_list("kind", "event_date")) == [(EventKind.MOVE_IN, arrived)]
    errors = raised(
        services.resident_arrive,
        actor=alice,
        data={"full_name": "Tanpa Tanggal", "sex": "L", "nik": ""},
        arrival=EventKind.BIRTH,
    )
    assert [(e.field, e.code) for e in errors] == [("birth_date", "required")]


def test_the_register_at_a_past_date_is_rebuilt_from_events(in_village_a):
    alice = in_village_a.alice
    # given: two people registered in 2020, a birth in 2021, a death and a move in 2022,
    # a newcomer in 2023
    old = services.resident_create(
        actor=alice, data=person(), arrival_date=datetime.date(2020, 1, 10)
    )
    mover = services.resident_create(
        actor=alice,
        data=person(nik="1808111705900002", full_name="Budi"),
        arrival_date=datetime.date(2020, 1, 10),
    )
    baby = services.resident_record_birth(
        actor=alice,
        data={"full_name": "Citra", "sex": "P", "birth_date": datetime.date(2021, 4, 4)},
    )
    services.resident_record_death(actor=alice, resident=old, event_date=datetime.date(2022, 5, 5))
    services.resident_record_move_out(
        actor=alice, resident=mover, event_date=datetime.date(2022, 7, 7)
    )
    newcomer = services.resident_record_move_in(
        actor=alice,
        event_date=datetime.date(2023, 3, 3),
        data=person(nik="1808111705900003", full_name="Dewi"),
    )
    ours = {old.pk, mover.pk, baby.pk, newcomer.pk}

    def register(date):
        return {r.pk for r in selectors.residents_as_of(date=date)} & ours

    # then
    assert register(datetime.date(2019, 12, 31)) == set()
    assert register(datetime.date(2020, 1, 10)) == {old.pk, mover.pk}
    assert register(datetime.date(2021, 4, 3)) == {old.pk, mover.pk}
    assert register(datetime.date(2021, 4, 4)) == {old.pk, mover.pk, baby.pk}
    assert register(datetime.date(2022, 5, 5)) == {mover.pk, baby.pk}
    assert register(datetime.date(2022, 12, 31)) == {baby.pk}
    assert register(datetime.date(2023, 3, 3)) == {baby.pk, newcomer.pk}
    # and nobody was deleted
    assert Resident.objects.filter(pk__in=ours).count() == 4


def test_families_have_a_number_a_head_and_members(in_village_a):
    alice = in_village_a.alice
    husband = services.resident_create(actor=alice, data=person())
    wife = services.resident_create(
        actor=alice,
        data=person(
            nik="1808115705920001", full_name="Rina", sex="P", birth_date=datetime.date(1992, 5, 17)
        ),
    )
    # when
    family = services.family_create(actor=alice, kk_number="1808110101200001", head=husband)
    services.family_add_member(actor=alice, family=family, resident=wife, relation="istri")
    # then
    family.refresh_from_db()
    assert family.head_id == husband.pk
    members = {r.pk: r.family_relation for r in selectors.family_members(family=family)}
    assert members == {husband.pk: "kepala_keluarga", wife.pk: "istri"}
    # when the wife becomes the head, the husband keeps a plain relation
    services.family_set_head(
        actor=alice, family=family, resident=wife, previous_head_relation="suami"
    )
    family.refresh_from_db()
    husband.refresh_from_db()
    assert family.head_id == wife.pk
    assert husband.family_relation == "suami"


@pytest.mark.parametrize(
    ("kk_number", "code"),
    [
        ("180811010120000", "kk_length"),
        ("0808110101200001", "kk_zero_prefix"),
        ("18081101012000AB", "kk_not_digits"),
    ],
)
def test_bad_kk_numbers_are_refused(in_village_a, kk_number, code):
    errors = raised(services.family_create, actor=in_village_a.alice, kk_number=kk_number)
    assert (errors[0].field, errors[0].code) == ("kk_number", code)
    assert not Family.objects.filter(kk_number=kk_number).exists()


def test_a_kk_number_is_unique(in_village_a):
    services.family_create(actor=in_village_a.alice, kk_number="1808110101200001")
    errors = raised(services.family_create, actor=in_village_a.alice, kk_number="1808110101200001")
    assert errors[0].code == "kk_taken"


def test_an_unknown_family_relation_is_refused(in_village_a):
    resident = services.resident_create(actor=in_village_a.alice, data=person())
    family = services.family_create(actor=in_village_a.alice, kk_number="1808110101200001")
    errors = raised(
        services.family_add_member,
        actor=in_village_a.alice,
        family=family,
        resident=resident,
        relation="sepupu",
    )
    assert errors[0].field == "family_relation"


def test_a_person_created_as_head_of_a_headless_card_becomes_its_head(in_village_a):
    family = services.family_create(actor=in_village_a.alice, kk_number="1808110101200001")
    head = services.resident_create(
        actor=in_village_a.alice, data=person(family=family, family_relation="kepala_keluarga")
    )
    family.refresh_from_db()
    assert family.head_id == head.pk
