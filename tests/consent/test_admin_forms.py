"""The staff forms of consents refuse what the services would refuse, as a form error the
user can fix, never as a server error."""

import pytest

from consent.models import ConsentEvent, Mailing, Purpose, Topic
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

MAILING = {"subject_fi": "Uutiset", "body_fi": "Hei!"}


@pytest.fixture
def other_purpose(db):
    events = Purpose.objects.create(code="tapahtumat", name_fi="Tapahtumakutsut", validity_days=365)
    Topic.objects.create(purpose=events, code="seminaarit", name_fi="Seminaarit")
    return events


def test_a_mailing_with_a_topic_of_another_purpose_is_a_form_error(
    purpose, other_purpose, marketing
):
    wrong = other_purpose.topics.get()
    response = marketing.client.post(
        "/admin/consent/mailing/add/", {**MAILING, "purpose": purpose.pk, "topics": [wrong.pk]}
    )

    assert response.status_code == 200
    assert "topics" in response.context["adminform"].form.errors
    assert not Mailing.objects.exists()


def test_the_mailing_form_names_each_topics_purpose(purpose, other_purpose, marketing):
    page = marketing.client.get("/admin/consent/mailing/add/").content.decode()

    assert "Koulutuskirje: Kurssit" in page and "Tapahtumakutsut: Seminaarit" in page


def test_a_mailing_with_its_own_purposes_topics_is_saved(purpose, marketing):
    courses = purpose.topics.get(code="kurssit")
    response = marketing.client.post(
        "/admin/consent/mailing/add/", {**MAILING, "purpose": purpose.pk, "topics": [courses.pk]}
    )

    assert response.status_code == 302
    assert list(Mailing.objects.get().topics.all()) == [courses]


def test_staff_cannot_record_a_consent_to_a_purpose_without_a_text(other_purpose, sales):
    person = ContactFactory(subject_category="customer")
    response = sales.client.post(
        "/admin/consent/consentevent/add/",
        {"contact": person.pk, "purpose": other_purpose.pk, "kind": "given", "note": "Puhelin"},
    )

    assert response.status_code == 200
    assert "purpose" in response.context["adminform"].form.errors
    assert not ConsentEvent.objects.exists()
