"""The ledger: append-only in the model layer and in PostgreSQL; the state written with it."""

import datetime

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.utils import timezone

from consent import services
from consent.models import AppendOnlyError, ConsentEvent, ConsentState, ConsentText
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_giving_a_consent_writes_a_ledger_row_and_the_state_together(purpose, staff_evidence):
    person = ContactFactory()

    state = services.consent_give(contact=person, purpose=purpose, evidence=staff_evidence)

    event = ConsentEvent.objects.get(contact_id=person.pk)
    assert event.kind == "given" and event.source == "staff"
    assert event.source_detail == "Sanna Myynti" and event.note == "Puhelimessa"
    assert event.text == purpose.current_text() and event.text.version == 1
    assert state.status == "valid" and state.is_valid()
    assert sorted(t.code for t in state.topics.all()) == ["kurssit", "webinaarit"]
    assert state.expires_at == event.valid_until


def test_a_failure_after_the_ledger_row_leaves_neither(purpose, staff_evidence, monkeypatch):
    person = ContactFactory()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_set_state", broken)
    with pytest.raises(RuntimeError):
        services.consent_give(contact=person, purpose=purpose, evidence=staff_evidence)

    assert not ConsentEvent.objects.filter(contact_id=person.pk).exists()
    assert not ConsentState.objects.filter(contact=person).exists()


def test_giving_twice_makes_one_consent(purpose, staff_evidence):
    person = ContactFactory()
    services.consent_give(contact=person, purpose=purpose, evidence=staff_evidence)
    services.consent_give(contact=person, purpose=purpose, evidence=staff_evidence)

    assert ConsentState.objects.filter(contact=person).count() == 1
    kinds = list(ConsentEvent.objects.filter(contact_id=person.pk).values_list("kind", flat=True))
    assert kinds == ["given", "renewed"]


def test_withdrawing_twice_writes_one_row(purpose, staff_evidence):
    person = ContactFactory()
    services.consent_give(contact=person, purpose=purpose, evidence=staff_evidence)
    link = services.Evidence(source="unsubscribe_link", ip_address="192.0.2.1")

    assert services.consent_withdraw(contact=person, purpose=purpose, evidence=link)
    assert not services.consent_withdraw(contact=person, purpose=purpose, evidence=link)

    kinds = list(ConsentEvent.objects.filter(contact_id=person.pk).values_list("kind", flat=True))
    assert kinds == ["given", "withdrawn"]
    assert ConsentState.objects.get(contact=person).status == "withdrawn"


def test_the_state_is_what_the_ledger_adds_up_to(purpose, staff_evidence):
    person = ContactFactory()
    services.consent_give(contact=person, purpose=purpose, evidence=staff_evidence)
    services.consent_topics_change(
        contact=person,
        purpose=purpose,
        topics=list(purpose.topics.filter(code="kurssit")),
        evidence=staff_evidence,
    )
    state = ConsentState.objects.get(contact=person)

    folded = services.consent_state_from_ledger(contact_id=person.pk, purpose=purpose)
    assert folded["status"] == state.status == "valid"
    assert folded["topics"] == ["kurssit"] == [t.code for t in state.topics.all()]
    assert folded["expires_at"] == state.expires_at


def test_a_ledger_row_cannot_be_changed_or_deleted_through_the_models(purpose, staff_evidence):
    person = ContactFactory()
    services.consent_give(contact=person, purpose=purpose, evidence=staff_evidence)
    event = ConsentEvent.objects.get(contact_id=person.pk)

    event.note = "muutettu"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).update(note="muutettu")
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        ConsentEvent._base_manager.filter(pk=event.pk).delete()

    assert ConsentEvent.objects.get(pk=event.pk).note == "Puhelimessa"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_to_change_or_delete_a_ledger_row_in_raw_sql(purpose, staff_evidence):
    person = ContactFactory()
    services.consent_give(contact=person, purpose=purpose, evidence=staff_evidence)
    event = ConsentEvent.objects.get(contact_id=person.pk)

    for sql in (
        "UPDATE consent_consentevent SET note = 'muutettu' WHERE id = %s",
        "DELETE FROM consent_consentevent WHERE id = %s",
    ):
        with (
            pytest.raises((IntegrityError, InternalError, ProgrammingError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert ConsentEvent.objects.get(pk=event.pk).note == "Puhelimessa"


def test_a_consent_text_is_never_changed_a_new_wording_is_a_new_version(purpose):
    first = purpose.current_text()
    first.text_fi = "Toinen sanamuoto"
    with pytest.raises(AppendOnlyError):
        first.save()

    second = services.consent_text_publish(purpose=purpose, text_fi="Uusi sanamuoto")
    same = services.consent_text_publish(purpose=purpose, text_fi="Uusi sanamuoto")

    assert second.version == 2 and same == second
    assert ConsentText.objects.get(pk=first.pk).text_fi.startswith("Haluan koulutuskirjeen")


def test_the_evidence_purge_deletes_only_ended_consents_older_than_the_period(
    purpose, staff_evidence
):
    ended, valid = ContactFactory(), ContactFactory()
    services.consent_give(contact=ended, purpose=purpose, evidence=staff_evidence)
    services.consent_withdraw(contact=ended, purpose=purpose, evidence=staff_evidence)
    services.consent_give(contact=valid, purpose=purpose, evidence=staff_evidence)

    assert services.consent_evidence_purge() == 0
    four_years = timezone.now() + datetime.timedelta(days=4 * 365)
    deleted = services.consent_evidence_purge(now=four_years)

    assert deleted == 2
    assert not ConsentEvent.objects.filter(contact_id=ended.pk).exists()
    assert ConsentEvent.objects.filter(contact_id=valid.pk).exists()
