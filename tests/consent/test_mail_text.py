"""What staff and people type arrives in the mails as typed: the plain-text part unescaped, the
HTML part escaped exactly once."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from consent import services
from consent.models import Mailing
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

TRICKY = 'Q&A "x" it\'s <y>'
ONCE = "Q&amp;A &quot;x&quot; it&#x27;s &lt;y&gt;"
STAFF = services.Evidence(source="staff", detail="Maija Markkinointi")


def _assert_as_typed(message):
    assert TRICKY in message.body
    assert "&amp;" not in message.body and "&lt;" not in message.body
    html = message.alternatives[0][0]
    assert ONCE in html
    assert "&amp;amp;" not in html and "&amp;lt;" not in html and "<y>" not in html


@pytest.fixture
def tricky_purpose(purpose):
    purpose.name_fi = TRICKY
    purpose.save()
    services.consent_text_publish(purpose=purpose, text_fi=f"Haluan: {TRICKY}")
    return purpose


def _person(purpose):
    person = ContactFactory(subject_category="customer", preferred_language="fi")
    services.consent_give(contact=person, purpose=purpose, evidence=STAFF)
    return person


def test_a_mailing_arrives_as_written_in_both_parts(
    tricky_purpose, django_capture_on_commit_callbacks
):
    _person(tricky_purpose)
    mailing = Mailing.objects.create(
        purpose=tricky_purpose, subject_fi="Uutiset", body_fi=f"Hei!\n\n{TRICKY}"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.mailing_send(mailing=mailing, actor=None)

    (message,) = mail.outbox
    _assert_as_typed(message)


def test_the_confirmation_mail_arrives_as_written(
    tricky_purpose, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            f"/consent/signup/{tricky_purpose.code}/",
            {
                "first_name": "Aino",
                "last_name": "K",
                "email": "a@example.com",
                "topics": ["kurssit"],
            },
        )

    (message,) = mail.outbox
    _assert_as_typed(message)
    assert f"Haluan: {TRICKY}" in message.body


def test_the_renewal_mail_arrives_as_written(tricky_purpose):
    _person(tricky_purpose)
    due = timezone.now() + datetime.timedelta(days=tricky_purpose.validity_days - 10)
    services.consent_renewal_reminders_send(now=due)

    (message,) = mail.outbox
    _assert_as_typed(message)


def test_a_service_message_arrives_as_written(purpose):
    person = ContactFactory(subject_category="customer", preferred_language="fi")
    services.service_message_send(contact=person, subject="Tapahtuma", body=TRICKY)

    (message,) = mail.outbox
    _assert_as_typed(message)
