"""An access request's export: built once when the request is verified, mailed as a single-use
link in the person's language, and the request completed."""

import re

import pytest
from django.core import mail
from django.test import Client

from privacy import requests as rights
from privacy.export import export_build
from privacy.models import DataExport, RightsRequest

from .people import person_everywhere

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.PRIVACY_EXPORT_ROOT = tmp_path / "exports"


def test_the_verified_request_is_exported_mailed_and_completed_once(
    django_capture_on_commit_callbacks,
):
    person = person_everywhere()
    with django_capture_on_commit_callbacks(execute=True):
        request = rights.staff_request_record(
            type="access",
            contact=person,
            channel="letter",
            identity_check="Signed letter, address matches",
            language="sv",
            actor="Sanna Staff",
        )  # a proven access request queues its job on commit

    request.refresh_from_db()
    assert request.state == RightsRequest.State.COMPLETED
    (message,) = [m for m in mail.outbox if "/privacy/download/" in m.body]
    assert message.to == ["asa.oberg@example.com"]
    assert message.subject == "Dina uppgifter kan laddas ner"
    (path,) = re.findall(r"https?://\S+(/sv/privacy/download/\S+/)", message.body)
    assert Client().get(path).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        assert export_build(request=request) is False  # a second delivery makes no second file
    assert DataExport.objects.count() == 1
