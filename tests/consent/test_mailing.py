"""Mailings: the audience, sending once per person even when the job dies, the unsubscribe
headers, one-click unsubscribe, the preference page and service messages."""

import datetime

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from consent import selectors, services
from consent.models import ConsentEvent, ConsentState, Mailing, MailingRecipient
from crm.models import Contact
from privacy.csv import csv_lines, safe_cell
from tests.factories import ContactFactory

from .conftest import link_in

pytestmark = pytest.mark.django_db

STAFF = services.Evidence(source="staff", detail="Maija Markkinointi", note="Paperilomake")


def _subscribed(purpose, **person):
    # The factory picks any category, "erased" too, and an erased person is in no audience.
    contact = ContactFactory(
        **{"subject_category": "customer", "preferred_language": "fi", **person}
    )
    services.consent_give(contact=contact, purpose=purpose, evidence=STAFF)
    return contact


def _mailing(purpose, marketing_user=None):
    return Mailing.objects.create(
        purpose=purpose,
        subject_fi="Syksyn kurssit",
        body_fi="Hei!\n\nTässä syksyn kurssit: https://example.com/kurssit",
        subject_sv="Höstens kurser",
        body_sv="Hej!\n\nHär är höstens kurser.",
        created_by=marketing_user,
    )


def test_the_audience_is_exactly_the_people_with_a_valid_consent_now(purpose):
    valid = _subscribed(purpose)
    withdrawn = _subscribed(purpose)
    services.consent_withdraw(contact=withdrawn, purpose=purpose, evidence=STAFF)
    past_expiry = _subscribed(purpose)
    ConsentState.objects.filter(contact=past_expiry).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    erased = _subscribed(purpose)
    Contact.objects.filter(pk=erased.pk).update(subject_category="erased")
    ContactFactory()  # never consented

    assert list(selectors.audience(purpose=purpose)) == [valid]


def test_a_topic_mailing_reaches_only_those_who_chose_the_topic(purpose):
    courses = purpose.topics.get(code="kurssit")
    both = _subscribed(purpose)
    webinars_only = _subscribed(purpose)
    services.consent_topics_change(
        contact=webinars_only,
        purpose=purpose,
        topics=list(purpose.topics.filter(code="webinaarit")),
        evidence=STAFF,
    )

    assert list(selectors.audience(purpose=purpose, topics=[courses])) == [both]


def test_a_mailing_goes_once_to_each_person_in_their_language_with_their_own_links(
    purpose, django_capture_on_commit_callbacks
):
    finn = _subscribed(purpose, preferred_language="fi")
    swede = _subscribed(purpose, preferred_language="sv")
    mailing = _mailing(purpose)

    with django_capture_on_commit_callbacks(execute=True):
        count = services.mailing_send(mailing=mailing, actor=None)

    assert count == 2 and len(mail.outbox) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    finnish, swedish = by_address[finn.email], by_address[swede.email]
    assert finnish.subject == "Syksyn kurssit" and swedish.subject == "Höstens kurser"
    for message in (finnish, swedish):
        header = message.extra_headers["List-Unsubscribe"]
        assert header.startswith("<http") and "/consent/unsubscribe/" in header
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link_in(message, "/consent/unsubscribe/") in header  # visible at the end too
        html = message.alternatives[0][0]
        assert "<p>" in html and 'href="https://example.com/kurssit"' in finnish.alternatives[0][0]
    assert "/sv/consent/unsubscribe/" in swedish.extra_headers["List-Unsubscribe"]
    assert finnish.extra_headers["List-Unsubscribe"] != swedish.extra_headers["List-Unsubscribe"]
    mailing.refresh_from_db()
    assert (mailing.status, mailing.sent_count, mailing.failed_count) == ("sent", 2, 0)


def test_a_mailing_cannot_be_sent_twice(purpose, django_capture_on_commit_callbacks):
    _subscribed(purpose)
    mailing = _mailing(purpose)
    with django_capture_on_commit_callbacks(execute=True):
        services.mailing_send(mailing=mailing, actor=None)

    with pytest.raises(services.MailingRefused):
        services.mailing_send(mailing=mailing, actor=None)
    assert len(mail.outbox) == 1


def test_a_double_click_on_send_in_the_admin_sends_once(
    purpose, marketing, django_capture_on_commit_callbacks
):
    _subscribed(purpose)
    mailing = _mailing(purpose)
    url = f"/admin/consent/mailing/{mailing.pk}/send/"
    with django_capture_on_commit_callbacks(execute=True):
        first = marketing.client.post(url)
        second = marketing.client.post(url)

    assert first.status_code == second.status_code == 302
    assert len(mail.outbox) == 1
    progress = marketing.client.get(f"/admin/consent/mailing/{mailing.pk}/progress/")
    assert progress.context["sent"] == 1 and progress.context["remaining"] == 0


def test_a_job_killed_mid_batch_never_mails_anyone_twice(purpose, monkeypatch):
    people = [_subscribed(purpose) for _ in range(5)]
    mailing = _mailing(purpose)
    services.mailing_send(mailing=mailing, actor=None)  # the task is queued on commit: not yet
    real = services.mail.marketing_message
    calls = []

    def dies_on_the_third(**kwargs):
        calls.append(kwargs["contact"].pk)
        if len(calls) == 3:
            raise SystemExit("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(services.mail, "marketing_message", dies_on_the_third)
    with pytest.raises(SystemExit):
        services.mailing_deliver(mailing_id=mailing.pk, batch_size=2)
    monkeypatch.setattr(services.mail, "marketing_message", real)
    sent_before = len(mail.outbox)

    services.mailing_deliver(mailing_id=mailing.pk, batch_size=2)  # the rerun
    later = timezone.now() + services.CLAIM_TIMEOUT + datetime.timedelta(minutes=1)
    services.mailing_deliver(mailing_id=mailing.pk, now=later)

    addresses = [m.to[0] for m in mail.outbox]
    assert len(addresses) == len(set(addresses))  # nobody twice
    # The killed worker had claimed the third and fourth: whether their mails left is unknown,
    # so they are marked failed after the claim timeout, never sent again.
    assert sent_before == 2 and len(addresses) == 3
    mailing.refresh_from_db()
    assert mailing.status == "sent"
    assert (mailing.sent_count, mailing.failed_count) == (3, 2)
    assert {p.email for p in people} >= set(addresses)


def test_a_person_who_withdraws_after_sending_started_is_skipped(purpose):
    stays, leaves = _subscribed(purpose), _subscribed(purpose)
    mailing = _mailing(purpose)
    services.mailing_send(mailing=mailing, actor=None)
    services.consent_withdraw(contact=leaves, purpose=purpose, evidence=STAFF)

    services.mailing_deliver(mailing_id=mailing.pk)

    assert [m.to[0] for m in mail.outbox] == [stays.email]
    assert MailingRecipient.objects.get(contact_id=leaves.pk).status == "skipped"


def test_one_click_unsubscribe_withdraws_at_once(purpose, django_capture_on_commit_callbacks):
    person = _subscribed(purpose)
    with django_capture_on_commit_callbacks(execute=True):
        services.mailing_send(mailing=_mailing(purpose), actor=None)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>").split("8000", 1)[1]

    response = Client(enforce_csrf_checks=True).post(
        url, {"List-Unsubscribe": "One-Click"}, REMOTE_ADDR="192.0.2.44"
    )

    assert response.status_code == 200
    assert ConsentState.objects.get(contact=person).status == "withdrawn"
    event = ConsentEvent.objects.filter(contact_id=person.pk).last()
    assert (event.kind, event.source, event.ip_address) == (
        "withdrawn",
        "unsubscribe_link",
        "192.0.2.44",
    )
    assert list(selectors.audience(purpose=purpose)) == []


def test_opening_the_unsubscribe_link_shows_the_preference_page_and_changes_nothing(
    purpose, django_capture_on_commit_callbacks
):
    person = _subscribed(purpose)
    with django_capture_on_commit_callbacks(execute=True):
        services.mailing_send(mailing=_mailing(purpose), actor=None)

    page = Client().get(link_in(mail.outbox[0], "/consent/unsubscribe/"))

    assert page.status_code == 200 and "Tilauksesi" in page.content.decode()
    assert 'href="/privacy/"' in page.content.decode()
    assert ConsentState.objects.get(contact=person).status == "valid"


def test_the_preference_page_changes_topics_and_withdraws(
    purpose, django_capture_on_commit_callbacks
):
    person = _subscribed(purpose)
    with django_capture_on_commit_callbacks(execute=True):
        services.mailing_send(mailing=_mailing(purpose), actor=None)
    client = Client(enforce_csrf_checks=True)
    url = link_in(mail.outbox[0], "/consent/preferences/")
    page = client.get(url)
    token = page.cookies["csrftoken"].value

    client.post(url, {f"topics-{purpose.pk}": ["webinaarit"], "csrfmiddlewaretoken": token})
    state = ConsentState.objects.get(contact=person)
    assert [t.code for t in state.topics.all()] == ["webinaarit"]

    bad = client.post(url, {f"topics-{purpose.pk}": ["ei-ole"], "csrfmiddlewaretoken": token})
    assert bad.status_code == 400
    assert [t.code for t in state.topics.all()] == ["webinaarit"]

    after = client.post(url, {"withdraw_all": "1", "csrfmiddlewaretoken": token}).content.decode()
    assert ConsentState.objects.get(contact=person).status == "withdrawn"
    # Nothing is left to save or withdraw: no dead buttons, a way back instead.
    assert 'name="withdraw_all"' not in after and 'name="save"' not in after
    assert f'href="/consent/signup/{purpose.code}/"' in after
    kinds = list(ConsentEvent.objects.filter(contact_id=person.pk).values_list("kind", "source"))
    assert kinds == [
        ("given", "staff"),
        ("topics_changed", "preferences"),
        ("withdrawn", "preferences"),
    ]


def test_an_altered_unsubscribe_link_changes_nothing(purpose, django_capture_on_commit_callbacks):
    person = _subscribed(purpose)
    with django_capture_on_commit_callbacks(execute=True):
        services.mailing_send(mailing=_mailing(purpose), actor=None)
    url = link_in(mail.outbox[0], "/consent/unsubscribe/")

    token = url.rstrip("/").rsplit("/", 1)[1]
    response = Client().post(
        url.replace(token, token[:-2] + ("xy" if token[-2:] != "xy" else "zz"))
    )

    assert response.status_code == 400 and "Linkki ei toimi" in response.content.decode()
    assert ConsentState.objects.get(contact=person).status == "valid"


def test_service_messages_ignore_marketing_consent_and_only_they_do(purpose):
    person = _subscribed(purpose)
    services.consent_withdraw(contact=person, purpose=purpose, evidence=STAFF)

    services.service_message_send(
        contact=person, subject="Ilmoittautumisesi", body="Tapahtuma alkaa klo 9."
    )
    services.mailing_send(mailing=_mailing(purpose), actor=None)
    services.mailing_deliver(mailing_id=Mailing.objects.get().pk)

    assert len(mail.outbox) == 1
    service = mail.outbox[0]
    assert (
        service.subject == "Ilmoittautumisesi" and "List-Unsubscribe" not in service.extra_headers
    )


def test_the_audience_export_is_exactly_the_valid_people_and_is_logged(purpose, marketing):
    valid = _subscribed(purpose, first_name="=HYPERLINK(1)", preferred_language="sv")
    gone = _subscribed(purpose)
    services.consent_withdraw(contact=gone, purpose=purpose, evidence=STAFF)

    response = marketing.client.get(f"/admin/consent/purpose/{purpose.pk}/audience.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")

    assert response["Content-Type"].startswith("text/csv")
    lines = body.strip().split("\r\n")
    assert len(lines) == 2
    assert lines[1] == f"'=HYPERLINK(1);{valid.last_name};{valid.email};sv"
    from auditlog.models import LogEntry

    entry = LogEntry.objects.filter(additional_data__export="audience").get()
    assert entry.additional_data["rows"] == 1 and entry.actor == marketing.user


def test_only_roles_with_the_permission_export_the_audience(purpose, sales):
    assert sales.client.get(f"/admin/consent/purpose/{purpose.pk}/audience.csv").status_code == 403


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_csv_writer_neutralises_formulas(start):
    assert safe_cell(f"{start}cmd") == f"'{start}cmd"
    line = list(csv_lines(["a"], [[f"{start}1+1"]], bom=False))[1]
    assert line.lstrip('"').startswith("'")


def test_plain_values_pass_the_csv_writer_unchanged():
    assert (
        safe_cell("Aino Kivelä") == "Aino Kivelä" and safe_cell(None) == "" and safe_cell(5) == "5"
    )


def test_an_unsubscribe_link_older_than_the_link_lifetime_still_withdraws(
    purpose, settings, monkeypatch, django_capture_on_commit_callbacks
):
    person = _subscribed(purpose)
    with django_capture_on_commit_callbacks(execute=True):
        services.mailing_send(mailing=_mailing(purpose), actor=None)
    url = link_in(mail.outbox[0], "/consent/unsubscribe/")
    preferences = link_in(mail.outbox[0], "/consent/preferences/")
    later = signing.time.time() + (settings.CONSENT_MAIL_LINK_DAYS + 30) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)

    page = Client().get(url)
    assert page.status_code == 200 and "Peru tilaus" in page.content.decode()
    assert "consent/preferences/" not in page.content.decode()  # only the withdrawal is offered
    assert Client().get(preferences).status_code == 400  # other kinds keep their lifetime

    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert ConsentState.objects.get(contact=person).status == "withdrawn"
    assert ConsentEvent.objects.filter(contact_id=person.pk).last().source == "unsubscribe_link"


def test_an_old_unsubscribe_link_with_an_altered_signature_changes_nothing(
    purpose, settings, monkeypatch, django_capture_on_commit_callbacks
):
    person = _subscribed(purpose)
    with django_capture_on_commit_callbacks(execute=True):
        services.mailing_send(mailing=_mailing(purpose), actor=None)
    url = link_in(mail.outbox[0], "/consent/unsubscribe/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    later = signing.time.time() + (settings.CONSENT_MAIL_LINK_DAYS + 30) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = Client().post(
        url.replace(token, token[:-2] + ("xy" if token[-2:] != "xy" else "zz"))
    )

    assert response.status_code == 400
    assert ConsentState.objects.get(contact=person).status == "valid"
