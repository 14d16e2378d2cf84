"""The batch erasure job: many people, set-based, in transactions of whole people, once each."""

import pytest
from auditlog.models import LogEntry

from crm.models import Contact, Membership
from privacy.declarations import ErasureAction, RowErasure, registry
from privacy.erasure import contact_erase
from privacy.erasure_jobs import erasure_batch_run, erasure_batch_task
from privacy.selectors import personal_data_for_contact, subject_rows
from tests.factories import ContactFactory, MembershipFactory
from tests.privacy.test_erasure import EMAIL, NAME, person  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _fields_as_declared(contact):
    for declaration in registry:
        if declaration.subject is None or declaration.about_rows:
            continue
        rows = subject_rows(declaration, contact)
        if declaration.erase is RowErasure.DELETE:
            assert not rows.exists(), declaration.model_label
            continue
        for row in rows:
            for name, d in declaration.held_fields().items():
                stored = getattr(row, row._meta.get_field(name).attname)
                if d.erasure.action is ErasureAction.REPLACE:
                    assert stored == d.erasure.value, (declaration.model_label, name, stored)


def test_the_batch_erases_as_the_single_erasure_does(person):  # noqa: F811
    bystander = ContactFactory(first_name="Bertta")
    MembershipFactory(contact=bystander)

    done = erasure_batch_run(contact_ids=[person.pk], actor=None)

    assert done == 1
    person.refresh_from_db()
    assert person.subject_category == Contact.SubjectCategory.ERASED
    _fields_as_declared(person)
    everything = repr(personal_data_for_contact(person))
    for value in (NAME, "Virtanen", EMAIL, "Rehtori", "aino.vanha@example.com", "kurssista"):
        assert value not in everything, value
    bystander.refresh_from_db()
    assert bystander.first_name == "Bertta" and Membership.objects.filter(contact=bystander)
    # Nothing is left for the single erasure to do: the two agree.
    assert not contact_erase(contact=person, actor=None).changes_anything


def test_each_person_is_erased_once_however_often_the_job_runs(sales):
    people = [ContactFactory() for _ in range(7)]
    for p in people:
        MembershipFactory(contact=p)
    ids = [p.pk for p in people]

    assert erasure_batch_run(contact_ids=ids[:3], actor=sales.user, batch_size=2) == 3
    assert erasure_batch_task.delay(ids).get() == 4  # the rerun takes only the rest
    assert erasure_batch_run(contact_ids=Contact.objects.filter(pk__in=ids), actor=None) == 0

    for pk in ids:
        entries = LogEntry.objects.filter(object_id=pk, additional_data__erased=True)
        assert entries.count() == 1
        assert "(" in entries.get().object_repr  # named as erased, never by the old name
    assert not Membership.objects.filter(contact_id__in=ids).exists()
    for p in people:
        held = repr(personal_data_for_contact(p))
        assert p.last_name not in held and p.email not in held


def test_a_batch_above_the_array_threshold_redacts_entries_about_rows_that_are_gone():
    """Sixty people: on PostgreSQL their ids go to the database as one array parameter, also
    inside the JSON lookup that finds the deletion entries of their removed roles."""
    people = [ContactFactory() for _ in range(60)]
    for p in people:
        MembershipFactory(contact=p, job_title="Poistettu rooli").delete()

    assert erasure_batch_run(contact_ids=[p.pk for p in people], actor=None, batch_size=60) == 60

    gone = LogEntry.objects.filter(action=LogEntry.Action.DELETE, changes__job_title__isnull=False)
    assert gone.count() == 60
    assert not gone.filter(additional_data__redacted__isnull=True).exists()
    assert "Poistettu rooli" not in repr(list(gone.values_list("changes", flat=True)))
