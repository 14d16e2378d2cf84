"""Erasing a person: what the declarations say happens, all of it or none of it, once."""

import json

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction

from crm import services
from crm.audit import audit_actor, log_access
from crm.models import Contact, ContactMerge, Interaction, Membership
from privacy.declarations import REDACTED, ErasureAction, RowErasure, registry
from privacy.erasure import contact_erase, erasure_plan
from privacy.selectors import personal_data_for_contact, subject_rows
from tests.factories import ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Aino-Maria", "aino.virtanen@example.com", "+358401234567"


@pytest.fixture
def person(sales):
    """A person with roles, an interaction, a merged duplicate and a history in the audit trail,
    written by a staff member from a known address."""
    staff = sales.user
    with audit_actor(staff, remote_addr="192.0.2.10"):
        aino = services.contact_create(
            source=Contact.Source.STAFF,
            first_name=NAME,
            last_name="Virtanen",
            email=EMAIL,
            phone=PHONE,
        ).instance
        services.contact_update(
            contact=aino, post_office="Jyväskylä", street_address="Kauppakatu 1"
        )
        MembershipFactory(contact=aino, job_title="Rehtori", work_email="rehtori@koulu.fi")
        ended = MembershipFactory(contact=aino, job_title="Opettaja")
        ended.delete()  # gone, but its deletion entry in the audit trail names her
        Interaction.objects.create(
            contact=aino, kind="call", summary="Soitti Aino-Marian kurssista"
        )
        twin = ContactFactory(first_name=NAME, last_name="Virtanen", email="aino.vanha@example.com")
        services.contact_merge(survivor=aino, duplicate=twin, actor=staff)
        log_access(aino)
    return aino


def _entries_json(contact):
    records = personal_data_for_contact(contact)
    rows = LogEntry.objects.filter(
        pk__in=[r.pk for r in records if r.model_label == "auditlog.LogEntry"]
    )
    return rows, json.dumps(
        list(rows.values("object_repr", "changes", "changes_text", "serialized_data"))
    )


def test_the_plan_previews_without_changing_anything(person):
    plan = erasure_plan(contact=person)

    by_model = {p.model_label: p for p in plan.models}
    assert by_model["crm.Membership"].deleted == 1
    assert by_model["crm.Interaction"].deleted == 1
    assert by_model["crm.ContactMerge"].deleted == 1
    assert by_model["crm.Contact"].anonymised == 1
    assert "first_name" in by_model["crm.Contact"].replaced
    assert by_model["auditlog.LogEntry"].anonymised >= 6
    assert plan.changes_anything
    person.refresh_from_db()
    assert person.first_name == NAME and Membership.objects.filter(contact=person).exists()


def test_after_erasure_every_declared_field_is_as_declared(person, dpo):
    staff = dpo.user

    contact_erase(contact=person, actor=staff)

    person.refresh_from_db()
    for declaration in registry:
        if declaration.subject is None or declaration.about_rows:
            continue
        rows = subject_rows(declaration, person)
        if declaration.erase is RowErasure.DELETE:
            assert not rows.exists(), declaration.model_label
            continue
        for row in rows:
            for name, d in declaration.held_fields().items():
                field = row._meta.get_field(name)
                stored = getattr(row, field.attname)
                if d.erasure.action is ErasureAction.REPLACE:
                    assert stored == d.erasure.value, (declaration.model_label, name, stored)
    assert person.subject_category == Contact.SubjectCategory.ERASED
    assert not ContactMerge.objects.exists() and not Interaction.objects.exists()


def test_after_erasure_the_access_answer_shows_nothing_personal(person):
    contact_erase(contact=person, actor=None)

    everything = repr(personal_data_for_contact(person))
    for value in (
        NAME,
        "Virtanen",
        EMAIL,
        PHONE,
        "aino.vanha@example.com",
        "Kauppakatu",
        "Jyväskylä",
        "Rehtori",
        "rehtori@koulu.fi",
        "Opettaja",
        "kurssista",
    ):
        assert value not in everything, value


def test_the_audit_trail_keeps_who_changed_which_fields_but_not_her_values(person):
    before, _ = _entries_json(person)
    changed_fields = {e.pk: set((e.changes or {}).keys()) for e in before}
    actors = {e.pk: (e.actor_id, e.remote_addr, e.timestamp, e.action) for e in before}

    contact_erase(contact=person, actor=None)

    after, text = _entries_json(person)
    for value in (
        NAME,
        "Virtanen",
        EMAIL,
        PHONE,
        "aino.vanha@example.com",
        "Kauppakatu",
        "Jyväskylä",
        "Rehtori",
        "rehtori@koulu.fi",
        "Opettaja",
        "kurssista",
    ):
        assert value.lower() not in text.lower(), value
    for entry in after.exclude(additional_data__erased=True):
        assert set((entry.changes or {}).keys()) == changed_fields[entry.pk]
        assert (entry.actor_id, entry.remote_addr, entry.timestamp, entry.action) == actors[
            entry.pk
        ]
        assert entry.additional_data["redacted"] is True
        assert entry.object_repr == REDACTED
    updated = after.get(
        action=LogEntry.Action.UPDATE,
        changes__has_key="post_office",
        additional_data__erased__isnull=True,
    )
    assert updated.changes["post_office"][1] == REDACTED  # "" before: an empty value stays
    assert updated.actor.username == "sales"
    assert updated.remote_addr == "192.0.2.10"  # the staff member's address stays
    assert after.filter(action=LogEntry.Action.ACCESS).exists()  # someone saw this person


def test_one_entry_says_the_person_was_erased_and_by_whom(person, dpo):
    contact_erase(contact=person, actor=dpo.user)

    entry = LogEntry.objects.get(additional_data__erased=True)
    assert entry.actor == dpo.user and entry.object_id == person.pk
    assert "first_name" in entry.changes and NAME not in json.dumps(entry.changes)
    assert entry.additional_data["rows"]["crm.Membership"]["deleted"] == 1


def test_a_second_erasure_changes_nothing(person):
    contact_erase(contact=person, actor=None)
    entries = list(LogEntry.objects.order_by("pk").values())
    person.refresh_from_db()
    row = Contact.objects.filter(pk=person.pk).values().get()

    plan = contact_erase(contact=person, actor=None)

    assert not plan.changes_anything
    assert list(LogEntry.objects.order_by("pk").values()) == entries
    assert Contact.objects.filter(pk=person.pk).values().get() == row


def test_a_failure_on_the_last_model_leaves_the_person_untouched(person):
    """A real database error on the person's own row, which erasure writes last."""
    entries = list(LogEntry.objects.order_by("pk").values())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse BEFORE UPDATE ON crm_contact "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse BEFORE UPDATE ON crm_contact "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )

    with pytest.raises(DatabaseError):
        contact_erase(contact=person, actor=None)

    person.refresh_from_db()
    assert person.first_name == NAME and person.email == EMAIL
    assert Membership.objects.filter(contact=person).count() == 1
    assert Interaction.objects.filter(contact=person).count() == 1
    assert ContactMerge.objects.filter(survivor=person).count() == 1
    assert list(LogEntry.objects.order_by("pk").values()) == entries


def test_erasure_is_not_nested_in_another_transaction(person):
    with pytest.raises(RuntimeError), transaction.atomic():
        contact_erase(contact=person, actor=None)


def test_an_erased_person_is_named_as_erased_in_the_staffs_language(person):
    from django.utils import translation

    contact_erase(contact=person, actor=None)
    person.refresh_from_db()

    with translation.override("fi"):
        assert str(person) == "(poistettu)"
