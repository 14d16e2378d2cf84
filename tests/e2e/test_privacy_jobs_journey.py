"""The rights journeys of the jobs half in Chromium: a person asks for their data in Swedish and
downloads it; staff approve an erasure after its preview."""

import datetime
import io
import re
import zipfile
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from consent import services as consent_services
from consent.models import Purpose
from crm import roles
from crm.models import Contact
from events.models import BillingDetails
from privacy import requests as rights
from privacy.models import RightsRequest
from privacy.suppression import is_suppressed
from tests.privacy.people import person_everywhere

from .conftest import sign_in


def _link(message, marker):
    return urlsplit(next(u for u in re.findall(r"https?://\S+", message.body) if marker in u)).path


def test_a_person_asks_in_swedish_and_downloads_a_swedish_report_naming_the_recipients(
    page, browser, live_server, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    settings.PRIVACY_EXPORT_ROOT = tmp_path / "exports"
    person_everywhere()
    # Without a broker the export job runs inside the confirming request (WeasyPrint included).
    page.set_default_timeout(90_000)

    page.goto("/sv/privacy/")
    page.check("input[name=right][value=portability]")
    page.fill("input[name=email]", "asa.oberg@example.com")
    page.locator("form.portal-request button[type=submit]").click()
    page.wait_for_url("**/sv/privacy/request/")

    (verification,) = mail.outbox
    page.goto(_link(verification, "/privacy/verify/"))
    page.get_by_role("button").last.click()
    page.wait_for_load_state()

    ready = next(m for m in mail.outbox if "/privacy/download/" in m.body)
    page.goto(_link(ready, "/privacy/download/"))
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Ladda ner")).click()
    archive = zipfile.ZipFile(download.value.path())
    pdf = PdfReader(io.BytesIO(archive.read("report.pdf")))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Dina uppgifter" in text and "Vem har fått dina uppgifter" in text
    assert "Pitopalvelu Hämäläinen Oy" in text

    # The link was single-use: a second browser is told so, in Swedish.
    other = browser.new_context(base_url=live_server.url)
    try:
        second = other.new_page()
        response = second.goto(_link(ready, "/privacy/download/"))
        assert response.status == 410
        second.get_by_text("redan använts").wait_for()
    finally:
        other.close()


def test_the_dpo_finds_the_request_due_soon_previews_and_approves_the_erasure(page, staff_member):
    person = person_everywhere()
    request = rights.staff_request_record(
        type="erasure",
        contact=person,
        channel="letter",
        identity_check="Signed letter, address matches",
        language="sv",
        actor="Sanna Staff",
        received_at=timezone.now() - datetime.timedelta(days=25),  # due within a week
    )
    user, secret = staff_member(roles.DPO, "dpo")
    page.set_default_timeout(60_000)
    sign_in(page, user, secret)

    page.goto("/admin/privacy/rightsrequest/")
    page.locator("a[href*='=week']").first.click()  # the "due within 7 days" filter
    page.locator(f"a[href*='/rightsrequest/{request.pk}/change/']").first.click()
    page.locator(f"a[href*='/rightsrequest/{request.pk}/erasure/']").click()
    page.locator(".hold-until").first.wait_for()
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name=re.compile("erasure|poisto", re.I)).click()
    page.wait_for_url(f"**/rightsrequest/{request.pk}/change/")

    person.refresh_from_db()
    request.refresh_from_db()
    assert person.subject_category == Contact.SubjectCategory.ERASED
    assert request.state == RightsRequest.State.COMPLETED
    assert BillingDetails.objects.get(contact=person).payer_name == "Åsa Öberg"
    assert is_suppressed("asa.oberg@example.com")

    # A re-import of the address brings the person back as a contact, but not onto a list.
    again = Contact.objects.create(
        first_name="Åsa", last_name="Öberg", email="asa.oberg@example.com"
    )
    with pytest.raises(consent_services.AddressSuppressed):
        consent_services.consent_give(
            contact=again,
            purpose=Purpose.objects.get(code="uutiskirje"),
            evidence=consent_services.Evidence(source="import"),
        )
