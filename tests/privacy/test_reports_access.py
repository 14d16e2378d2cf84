"""Only the DPO and the administrator keep register descriptions and print the reports; the
notice itself is public, in the page's language."""

import pytest
from django.urls import reverse

from .registers_helpers import customer_register, event_register, pdf_text

pytestmark = pytest.mark.django_db


def _report_pages(register):
    return [
        reverse("admin:privacy_register_changelist"),
        reverse("admin:privacy_register_change", args=[register.pk]),
        reverse("admin:privacy_register_report", args=[register.pk, "fi"]),
        reverse("admin:privacy_register_record", args=["fi"]),
        reverse("admin:privacy_register_consents"),
        reverse("admin:privacy_register_consents_csv"),
        reverse("admin:privacy_breach_changelist"),
        reverse("admin:privacy_breach_report"),
    ]


@pytest.mark.parametrize("role", ["dpo", "administrator"])
def test_the_dpo_and_the_administrator_print_the_reports(request, role):
    member = request.getfixturevalue(role)
    register = customer_register()
    for url in _report_pages(register):
        response = member.client.get(url)
        assert response.status_code == 200, url

    pdf = member.client.get(reverse("admin:privacy_register_report", args=[register.pk, "fi"]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "Tietosuojaseloste" in pdf_text(pdf.content)
    csv = member.client.get(reverse("admin:privacy_register_consents_csv"))
    assert b"".join(csv.streaming_content).startswith("\ufeff".encode())


@pytest.mark.parametrize(
    "role", ["sales", "marketing", "event_organiser", "support", "staff_without_role"]
)
def test_other_staff_are_refused(request, role):
    member = request.getfixturevalue(role)
    register = customer_register()
    for url in _report_pages(register):
        response = member.client.get(url)
        assert response.status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(client):
    register = customer_register()
    for url in _report_pages(register):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_the_notice_is_public_in_finnish_swedish_and_english(client):
    customer_register()
    event_register()

    fi = client.get("/privacy/register/asiakasrekisteri/")
    assert fi.status_code == 200
    assert "Asiakas- ja sidosryhmärekisteri" in fi.content.decode()
    assert "Rekisterin suojauksen periaatteet" in fi.content.decode()
    assert "Tietosuojavaltuutetun toimisto" in fi.content.decode()

    sv = client.get("/sv/privacy/register/asiakasrekisteri/").content.decode()
    assert "Kund- och intressentregister" in sv
    assert "Principer för skyddet av registret" in sv

    no_sv = client.get("/sv/privacy/register/tapahtumat/").content.decode()
    assert "Denna registerbeskrivning finns inte på svenska." in no_sv
    assert "Tapahtumien ja koulutusten" not in no_sv

    en = client.get("/en/privacy/register/tapahtumat/").content.decode()
    assert "Event and training participants register" in en

    assert client.get("/privacy/register/ei-ole/").status_code == 404
    assert "/privacy/register/tapahtumat/" in client.get("/privacy/").content.decode()


def test_a_report_in_an_unknown_language_is_refused(dpo):
    register = customer_register()
    url = reverse("admin:privacy_register_report", args=[register.pk, "de"])
    assert dpo.client.get(url).status_code == 403
