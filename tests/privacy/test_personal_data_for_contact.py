"""The one function that answers "everything we hold about this person"."""

import pytest

from crm.models import Interaction
from privacy.declarations import Category, PersonalCopy, PersonalField, registry
from privacy.selectors import personal_data_for_contact
from tests.factories import ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _by_model(records):
    out = {}
    for r in records:
        out.setdefault(r.model_label, []).append(r)
    return out


def test_it_finds_the_person_and_their_roles_and_nobody_else():
    person = ContactFactory(first_name="Aino", last_name="Järvinen", email="aino@example.com")
    MembershipFactory(contact=person, job_title="Opintosihteeri")
    MembershipFactory(contact=person, job_title="Hallituksen jäsen")
    stranger = ContactFactory(first_name="Eero")
    MembershipFactory(contact=stranger, job_title="Toimitusjohtaja")

    records = _by_model(personal_data_for_contact(person))

    assert [r.pk for r in records["crm.Contact"]] == [person.pk]
    contact_values = {v.field: v.value for v in records["crm.Contact"][0].values}
    assert contact_values["first_name"] == "Aino"
    assert contact_values["email"] == "aino@example.com"
    titles = sorted(
        v.value for r in records["crm.Membership"] for v in r.values if v.field == "job_title"
    )
    assert titles == ["Hallituksen jäsen", "Opintosihteeri"]
    everything = repr(records)
    assert "Eero" not in everything and "Toimitusjohtaja" not in everything


def test_every_declared_personal_field_is_reported_and_nothing_undeclared():
    person = ContactFactory()
    MembershipFactory(contact=person)
    Interaction.objects.create(contact=person, kind="call", summary="Soitto tarjouksesta")

    records = personal_data_for_contact(person)

    assert {r.model_label for r in records} == {
        "crm.Contact",
        "crm.Membership",
        "crm.Interaction",
        "auditlog.LogEntry",  # their creation is in the audit trail, with their values
    }
    for record in records:
        model_decl = next(d for d in registry if d.model_label == record.model_label)
        declared = {
            n for n, d in model_decl.fields.items() if isinstance(d, PersonalField | PersonalCopy)
        }
        assert {v.field for v in record.values} == declared


def test_relations_are_shown_by_name_not_by_id():
    membership = MembershipFactory(organisation__name="Jyväskylän Kehitys Oy")

    records = personal_data_for_contact(membership.contact)

    shown = [v.value for r in records for v in r.values if v.field == "organisation"]
    assert shown == ["Jyväskylän Kehitys Oy"]


def test_query_count_does_not_grow_with_what_the_person_has(django_assert_max_num_queries):
    few = ContactFactory()
    MembershipFactory(contact=few)
    many = ContactFactory()
    MembershipFactory.create_batch(25, contact=many)

    personal_data_for_contact(few)  # content types are cached after the first lookup
    # One per declared model: the person, roles, interactions, merge tombstones, consent
    # ledger, consent states and their topics, mailing rows, the merged ids, audit entries and
    # the pages of several people that showed them; events' registrations, their answers and
    # the answers' choices, billing details and the disclosures that included the person;
    # rights requests with their transitions and links, restrictions.
    with django_assert_max_num_queries(22) as few_queries:
        personal_data_for_contact(few)
    with django_assert_max_num_queries(22) as many_queries:
        records = personal_data_for_contact(many)
    assert len([r for r in records if r.model_label != "auditlog.LogEntry"]) == 26
    assert len([r for r in records if r.model_label == "auditlog.LogEntry"]) == 26
    assert len(few_queries.captured_queries) == len(many_queries.captured_queries)


def test_it_refuses_anything_but_a_contact():
    membership = MembershipFactory()
    with pytest.raises(TypeError):
        personal_data_for_contact(membership)


def test_the_audit_entries_about_the_person_their_rows_and_merged_duplicates():
    from auditlog.models import LogEntry

    from crm import services

    person = ContactFactory(first_name="Aino", email="aino@example.com")
    role = MembershipFactory(contact=person, job_title="Rehtori")
    gone_role = MembershipFactory(contact=person, job_title="Opettaja")
    gone_role_pk = gone_role.pk
    gone_role.delete()  # its deletion entry still names the person
    twin = ContactFactory(first_name="Aino", email="aino.vanha@example.com")
    twin_pk = twin.pk
    services.contact_merge(survivor=person, duplicate=twin, actor=None)
    stranger = ContactFactory(first_name="Eero", email="eero@example.com")
    MembershipFactory(contact=stranger, job_title="Toimitusjohtaja")

    entries = [r for r in personal_data_for_contact(person) if r.model_label == "auditlog.LogEntry"]

    about = set(
        LogEntry.objects.filter(pk__in=[r.pk for r in entries]).values_list(
            "content_type__model", "object_id"
        )
    )
    assert ("contact", person.pk) in about
    assert ("contact", twin_pk) in about  # the merged duplicate's own history
    assert ("membership", role.pk) in about
    assert ("membership", gone_role_pk) in about  # a row that is gone
    everything = repr(entries)
    assert "aino.vanha@example.com" in everything and "Opettaja" in everything
    assert "Eero" not in everything and "Toimitusjohtaja" not in everything


def test_a_copy_of_a_persons_values_says_what_it_holds():
    from crm import services

    keep = ContactFactory(email="aino@example.com")
    gone = ContactFactory(email="aino.vanha@example.com")
    services.contact_merge(survivor=keep, duplicate=gone, actor=None)

    records = personal_data_for_contact(keep)

    merged = next(r for r in records if r.model_label == "crm.ContactMerge")
    values = next(v for v in merged.values if v.field == "merged_values")
    assert values.value["email"] == "aino.vanha@example.com"
    assert {Category.IDENTITY, Category.CONTACT, Category.RECORD} <= set(values.categories)
    changes = [
        v
        for r in records
        if r.model_label == "auditlog.LogEntry"
        for v in r.values
        if v.field == "changes" and v.value
    ]
    assert any(Category.IDENTITY in v.categories for v in changes)
