"""The person's copy of their data: what is in the ZIP, and that it reads the same way however
much the person has."""

import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from crm.models import Interaction
from privacy.declarations import registry
from privacy.export import SCHEMA_VERSION, csv_name, export_write
from privacy.selectors import personal_data_for_contact
from tests.factories import ContactFactory, MembershipFactory

from .people import person_everywhere

pytestmark = pytest.mark.django_db


def _export(contact, language="fi"):
    target = io.BytesIO()
    export_write(contact=contact, language=language, target=target)
    return zipfile.ZipFile(target)


def test_data_json_has_every_declared_field_of_every_kind_the_person_has():
    person = person_everywhere()
    held = {r.model_label for r in personal_data_for_contact(person)}

    data = json.loads(_export(person).read("data.json"))

    assert data["schema"] == "rekisteri.export" and data["version"] == SCHEMA_VERSION
    assert set(data["records"]) == held
    for label, kind in data["records"].items():
        declared = set(registry.get(label).held_fields())
        assert set(kind["fields"]) == declared, label
        assert kind["rows"], label
        for row in kind["rows"]:
            assert set(row["values"]) == declared, label
    contact = data["records"]["crm.Contact"]["rows"][0]["values"]
    assert contact["first_name"] == "Åsa" and contact["email"] == "asa.oberg@example.com"
    billing = data["records"]["events.BillingDetails"]["rows"][0]["values"]
    assert billing["street_address"] == "Storgatan 1" and billing["amount"] == "120.00"
    answers = data["records"]["events.Answer"]["rows"][0]["values"]
    assert answers["choices"] == ["Gluteeniton"]


def test_the_art_15_information_names_purposes_recipients_and_the_ombudsman():
    person = person_everywhere()

    info = json.loads(_export(person, "en").read("data.json"))["information"]

    assert {p["code"] for p in info["purposes"]} >= {"customer_relationship", "events"}
    assert all(p["legal_bases"] for p in info["purposes"])
    assert [r["name"] for r in info["recipients"]] == ["Pitopalvelu Hämäläinen Oy"]
    assert info["recipients"][0]["event"] == "Spring seminar"
    assert any("Accounting Act" in r["law"] for r in info["retention"])
    assert {s["field"] for s in info["sources"]} >= {"source", "collected_at"}
    assert info["complaint_authority"]["website"] == "https://tietosuoja.fi"
    assert {r["code"] for r in info["rights"]} >= {"access", "erasure", "portability"}


def test_one_csv_per_kind_and_a_formula_is_never_run_by_a_spreadsheet():
    person = ContactFactory(first_name='=HYPERLINK("http://evil")', last_name="@SUM(A1)")
    Interaction.objects.create(contact=person, kind="call", summary="+1 soitto")

    archive = _export(person)

    names = set(archive.namelist())
    assert {
        "data.json",
        "report.pdf",
        csv_name("crm.Contact"),
        csv_name("crm.Interaction"),
    } <= names
    sheet = archive.read(csv_name("crm.Contact")).decode("utf-8-sig")
    assert "'=HYPERLINK" in sheet and "'@SUM(A1)" in sheet
    assert ";=" not in sheet and ";@" not in sheet
    assert "'+1 soitto" in archive.read(csv_name("crm.Interaction")).decode("utf-8-sig")


@pytest.mark.parametrize(
    ("language", "heading", "recipients"),
    [
        ("sv", "Dina uppgifter", "Vem har fått dina uppgifter"),
        ("fi", "Tietosi", "Kenelle tietojasi on luovutettu"),
        ("en", "Your data", "Who received your data"),
    ],
)
def test_the_pdf_is_in_the_persons_language_and_names_the_recipients(language, heading, recipients):
    person = person_everywhere()

    pdf = PdfReader(io.BytesIO(_export(person, language).read("report.pdf")))
    text = "\n".join(page.extract_text() for page in pdf.pages)

    assert heading in text and recipients in text
    assert "Pitopalvelu Hämäläinen Oy" in text
    assert "Åsa" in text and "Öberg" in text  # Finnish and Swedish letters survive
    assert "tietosuoja.fi" in text


def test_the_queries_do_not_grow_with_the_persons_history(django_assert_max_num_queries):
    few, many = ContactFactory(), ContactFactory()
    MembershipFactory.create_batch(10, contact=few)
    MembershipFactory.create_batch(500, contact=many)
    _export(few)  # content types and translations are loaded once

    with django_assert_max_num_queries(30) as few_queries:
        _export(few)
    with django_assert_max_num_queries(30) as many_queries:
        archive = _export(many)

    assert len(few_queries.captured_queries) == len(many_queries.captured_queries)
    rows = json.loads(archive.read("data.json"))["records"]["crm.Membership"]["rows"]
    assert len(rows) == 500
    pdf = PdfReader(io.BytesIO(archive.read("report.pdf")))
    assert "crm_membership.csv" in "".join(p.extract_text() for p in pdf.pages)


@pytest.mark.parametrize(
    ("language", "log_label"),
    [
        ("fi", "mitä merkintä koskee"),
        ("sv", "vad posten gäller"),
        ("en", "what the entry is about"),
    ],
)
def test_the_pdf_reads_as_a_person_reads_dates_and_the_audit_trail(language, log_label):
    import re

    from django.utils import formats, timezone, translation

    person = person_everywhere()

    archive = _export(person, language)
    pdf = PdfReader(io.BytesIO(archive.read("report.pdf")))
    text = "\n".join(page.extract_text() for page in pdf.pages)

    # Dates and times in the person's format and local time, not ISO 8601 (that is for
    # data.json and the CSVs, which keep it).
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text)
    with translation.override(language):
        created = formats.date_format(
            timezone.localtime(person.created_at), "SHORT_DATETIME_FORMAT"
        )
    assert created in text
    assert re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", archive.read("data.json").decode())
    # The audit trail's fields in the person's language, not django-auditlog's English.
    assert log_label in text.replace("\n", " ").lower()
    assert "object representation" not in text.lower()


def test_a_long_history_is_summed_up_in_the_pdf_and_complete_in_the_csv():
    from privacy.export import PDF_ROWS_PER_KIND

    person = ContactFactory()
    titles = [f"Rooli numero {i:02d}" for i in range(PDF_ROWS_PER_KIND + 2)]
    for title in titles:
        MembershipFactory(contact=person, job_title=title)

    archive = _export(person, "en")
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(archive.read("report.pdf"))).pages
    )
    sheet = archive.read(csv_name("crm.Membership")).decode("utf-8-sig")

    shown = [t for t in titles if t in text]
    assert len(shown) == PDF_ROWS_PER_KIND
    assert f"All {len(titles)} rows are in {csv_name('crm.Membership')}" in " ".join(text.split())
    assert all(t in sheet for t in titles)
