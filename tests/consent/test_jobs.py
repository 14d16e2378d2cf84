"""The scheduled jobs: expiry (set-based, in batches, safe to kill and rerun) and renewal
(one reminder per consent period); and how merges and erasure treat the ledger."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from consent import services
from consent.models import ConsentEvent, ConsentState
from crm import services as crm_services
from privacy.erasure import contact_erase, erasure_plan
from tests.factories import ContactFactory

from .conftest import link_in

pytestmark = pytest.mark.django_db

STAFF = services.Evidence(source="staff", detail="Maija", note="Paperilomake")


def _people(purpose, n):
    people = [
        ContactFactory(subject_category="customer", preferred_language="fi") for _ in range(n)
    ]
    for person in people:
        services.consent_give(contact=person, purpose=purpose, evidence=STAFF)
    return people


class Killed(Exception):
    pass


def test_expiry_killed_between_batches_finishes_on_the_rerun_expiring_each_once(purpose):
    people = _people(purpose, 7)
    later = timezone.now() + datetime.timedelta(days=purpose.validity_days + 1)

    def kill_after_the_second_batch(count, batches=[]):  # noqa: B006 (counts calls)
        batches.append(count)
        if len(batches) == 2:
            raise Killed

    with pytest.raises(Killed):
        services.consent_expire_due(
            now=later, batch_size=3, after_batch=kill_after_the_second_batch
        )
    assert ConsentState.objects.filter(status="expired").count() == 6  # two batches committed

    assert services.consent_expire_due(now=later, batch_size=3) == 1
    assert services.consent_expire_due(now=later, batch_size=3) == 0  # idempotent

    for person in people:
        assert ConsentEvent.objects.filter(contact_id=person.pk, kind="expired").count() == 1
    assert ConsentState.objects.filter(status="expired").count() == 7
    folded = services.consent_state_from_ledger(contact_id=people[0].pk, purpose=purpose)
    assert folded["status"] == "expired"


def test_expiry_leaves_consents_that_are_not_due(purpose):
    _people(purpose, 2)

    assert services.consent_expire_due() == 0
    assert not ConsentEvent.objects.filter(kind="expired").exists()


def test_one_renewal_reminder_per_consent_period_also_when_the_job_reruns(purpose):
    (person,) = _people(purpose, 1)
    due = timezone.now() + datetime.timedelta(days=purpose.validity_days - 10)

    assert services.consent_renewal_reminders_send(now=due) == 1
    assert services.consent_renewal_reminders_send(now=due) == 0
    assert services.consent_renewal_reminders_send(now=due + datetime.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    reminder = mail.outbox[0]
    assert "List-Unsubscribe" in reminder.extra_headers

    renew = link_in(reminder, "/consent/renew/")
    client = Client()
    assert client.get(renew).status_code == 200
    assert client.post(renew).status_code == 200
    assert client.post(renew).status_code == 400  # used: the period it was for has been renewed
    kinds = list(ConsentEvent.objects.filter(contact_id=person.pk).values_list("kind", flat=True))
    assert kinds == ["given", "renewed"]

    # The new period (renewed now, so it ends a little later) gets its own reminder, only one.
    next_due = timezone.now() + datetime.timedelta(days=purpose.validity_days - 10)
    assert services.consent_renewal_reminders_send(now=next_due) == 1
    assert services.consent_renewal_reminders_send(now=next_due) == 0


def test_a_merge_appends_the_duplicates_ledger_and_the_latest_will_wins(purpose):
    kept, duplicate = _people(purpose, 2)
    services.consent_withdraw(contact=duplicate, purpose=purpose, evidence=STAFF)
    originals = list(ConsentEvent.objects.filter(contact_id=duplicate.pk).values_list("pk", "kind"))

    crm_services.contact_merge(survivor=kept, duplicate=duplicate, actor=None)

    assert (
        list(ConsentEvent.objects.filter(contact_id=duplicate.pk).values_list("pk", "kind"))
        == originals
    )  # never rewritten
    copies = ConsentEvent.objects.filter(contact_id=kept.pk, merged_from=duplicate.pk)
    assert sorted(copies.values_list("kind", flat=True)) == ["given", "withdrawn"]
    assert ConsentState.objects.get(contact=kept).status == "withdrawn"  # the later choice


def test_erasure_deletes_the_state_and_keeps_the_ledger_as_proof_until_the_hold_ends(purpose):
    (person,) = _people(purpose, 1)

    plan = erasure_plan(contact=person)
    ledger = next(p for p in plan.models if p.model_label == "consent.ConsentEvent")
    assert ledger.anonymised == 0 and ledger.deleted == 0
    assert {k.field for k in ledger.kept} >= {"ip_address", "at", "text"}
    contact_erase(contact=person, actor=None)

    assert not ConsentState.objects.filter(contact=person).exists()
    assert ConsentEvent.objects.filter(contact_id=person.pk).count() == 1
    assert not erasure_plan(contact=person).changes_anything
    later = timezone.now() + datetime.timedelta(days=4 * 365)
    assert services.consent_evidence_purge(now=later) == 1


def test_the_persons_page_shows_the_ledger_to_those_who_may_see_it(purpose, sales, event_organiser):
    (person,) = _people(purpose, 1)
    page = sales.client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()

    assert 'id="consent-ledger"' in page and "Paperilomake" in page and "Maija" in page
    other = event_organiser.client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()
    assert 'id="consent-ledger"' not in other


def test_staff_record_a_consent_given_by_phone_with_a_note(purpose, sales):
    person = ContactFactory(subject_category="customer")
    response = sales.client.post(
        "/admin/consent/consentevent/add/",
        {"contact": person.pk, "purpose": purpose.pk, "kind": "given", "note": "Puhelimessa 3.3."},
    )

    assert response.status_code == 302
    event = ConsentEvent.objects.get(contact_id=person.pk)
    assert (event.source, event.source_detail, event.note) == ("staff", "sales", "Puhelimessa 3.3.")
    assert ConsentState.objects.get(contact=person).is_valid()

    no_note = sales.client.post(
        "/admin/consent/consentevent/add/",
        {"contact": person.pk, "purpose": purpose.pk, "kind": "withdrawn", "note": ""},
    )
    assert no_note.status_code == 200 and ConsentEvent.objects.count() == 1


def test_the_renew_page_shows_the_current_wording_and_renewal_records_it(purpose):
    (person,) = _people(purpose, 1)
    services.consent_text_publish(purpose=purpose, text_fi="Uusi sanamuoto: koulutuskirje.")
    due = timezone.now() + datetime.timedelta(days=purpose.validity_days - 10)
    services.consent_renewal_reminders_send(now=due)
    renew = link_in(mail.outbox[0], "/consent/renew/")
    client = Client()

    page = client.get(renew).content.decode()
    new_expiry = timezone.localdate() + datetime.timedelta(days=purpose.validity_days)
    assert "Uusi sanamuoto: koulutuskirje." in page
    assert f"{new_expiry.day}.{new_expiry.month}.{new_expiry.year}" in page

    assert client.post(renew).status_code == 200
    renewed = ConsentEvent.objects.get(contact_id=person.pk, kind="renewed")
    assert renewed.text.version == 2
    assert ConsentState.objects.get(contact=person).text.version == 2

    again = client.get(renew)
    assert again.status_code == 400 and 'name="renew"' not in again.content.decode()
