"""A rights request's erasure: staff preview (with the accounting hold's end date) and approve;
the job erases, suppresses the address, completes the request and confirms by mail."""

import datetime

import pytest
from django.core import mail

from crm.models import Contact
from events.models import BillingDetails
from privacy import requests as rights
from privacy.erasure import erasure_plan
from privacy.erasure_jobs import erasure_run
from privacy.models import RightsRequest
from privacy.suppression import is_suppressed

from .people import person_everywhere

pytestmark = pytest.mark.django_db


def _erasure_request(person):
    return rights.staff_request_record(
        type="erasure",
        contact=person,
        channel="letter",
        identity_check="Signed letter, address matches",
        language="sv",
        actor="Sanna Staff",
    )


def _url(row):
    return f"/admin/privacy/rightsrequest/{row.pk}/erasure/"


def test_the_plan_says_until_when_billing_details_are_kept():
    person = person_everywhere()
    BillingDetails.objects.filter(contact=person).update(
        created_at=datetime.datetime(2026, 3, 5, 12, tzinfo=datetime.UTC)
    )

    plan = erasure_plan(contact=person)

    billing = next(m for m in plan.models if m.model_label == "events.BillingDetails")
    assert {k.until for k in billing.kept} == {datetime.date(2032, 12, 31)}
    assert all("Accounting Act" in k.law or "Kirjanpitolaki" in k.law for k in billing.kept)


def test_the_dpo_previews_confirms_and_the_person_is_erased_with_the_hold_respected(
    dpo, django_capture_on_commit_callbacks
):
    person = person_everywhere()
    row = _erasure_request(person)

    preview = dpo.client.get(_url(row))
    assert preview.status_code == 200
    assert "hold-until" in preview.content.decode()
    # Fields by their labels in the staff member's language, not their code names.
    assert "serialized_data" not in preview.content.decode()
    assert "sähköposti" in preview.content.decode()
    unconfirmed = dpo.client.post(_url(row), {})
    assert unconfirmed.status_code == 400
    row.refresh_from_db()
    assert not row.payload.get("erasure_approved_at")

    with django_capture_on_commit_callbacks(execute=True):
        response = dpo.client.post(_url(row), {"confirm": "on"})

    assert response.status_code == 302
    person.refresh_from_db()
    row.refresh_from_db()
    assert person.subject_category == Contact.SubjectCategory.ERASED and person.email == ""
    assert row.state == RightsRequest.State.COMPLETED
    billing = BillingDetails.objects.get(contact=person)
    assert billing.street_address == "Storgatan 1"  # kept under the Accounting Act
    assert is_suppressed("asa.oberg@example.com")
    confirmation = [m for m in mail.outbox if m.to == ["asa.oberg@example.com"]]
    assert len(confirmation) == 1 and "raderat" in confirmation[0].body


def test_a_second_run_changes_nothing_and_mails_nobody(django_capture_on_commit_callbacks):
    person = person_everywhere()
    row = _erasure_request(person)
    from privacy.erasure_jobs import erasure_approve

    with django_capture_on_commit_callbacks(execute=True):
        erasure_approve(request=row, actor=None)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert erasure_run(request=row) is False

    assert mail.outbox == []


def test_only_the_dpo_and_the_administrator_may_preview(sales, support, administrator):
    row = _erasure_request(person_everywhere())

    assert sales.client.get(_url(row)).status_code == 403
    assert support.client.get(_url(row)).status_code == 403
    assert administrator.client.get(_url(row)).status_code == 200
