"""What the import preview tells the person importing: the bad value beside its error, which
rows update people already in the register and what changes, counts in good Finnish, an example
file to start from, and municipalities by code or by name."""

import csv
import io
import re
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.imports.parse import EXAMPLE_HEADER, TARGETS, guess_mapping, parse
from crm.models import ImportJob, Municipality
from crm.selectors import municipalities_by_key, municipality_by_code_or_name
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _upload(client, text: str, name="people.csv"):
    response = client.post(
        "/admin/crm/contact/import/",
        {"file": SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk"), response["Location"]


def _text(html: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())


def test_each_error_shows_the_value_that_is_wrong(sales):
    _job, location = _upload(
        sales.client,
        "Etunimi;Sukunimi;Sähköposti;Postinumero;Kotikunta\r\n"
        "Aino;Aalto;aino@@example.com;00100;Helsinki\r\n"
        "Olli;Aalto;olli@example.com;1234;Atlantis\r\n",
    )

    page = sales.client.get(location)

    assert page.status_code == 200
    errors = {(row, str(field)): value for row, field, value, _msg in page.context["errors"]}
    assert errors == {
        (2, "sähköposti"): "aino@@example.com",
        (3, "postinumero"): "1234",
        (3, "kotikunta"): "Atlantis",
    }
    text = _text(page.content)
    assert "aino@@example.com" in text and "Atlantis" in text


def test_a_personal_identity_code_is_not_shown_back_beside_its_error(sales):
    _job, location = _upload(sales.client, "Etunimi;Sukunimi\r\nAino;131052-308T\r\n")

    page = sales.client.get(location).content.decode()

    assert "131052-308T" not in page
    assert "piilotettu: henkilötunnus" in page


def test_the_preview_says_who_is_updated_and_what_changes(sales):
    helsinki = Municipality.objects.get(code="091")
    ContactFactory(
        first_name="Olli", last_name="Aalto", email="olli@example.com", municipality=helsinki
    )
    _job, location = _upload(
        sales.client,
        "Etunimi;Sukunimi;Sähköposti;Kotikunta\r\n"
        "Aino;Aalto;aino@example.com;Espoo\r\n"
        "Olli;Ahola;olli@example.com;Jyväskylä\r\n",
    )

    page = sales.client.get(location)

    assert page.context["updates"] == 1
    text = _text(page.content)
    assert "Niistä 1 päivittää rekisterissä jo olevaa henkilöä" in text
    assert "sukunimi: Aalto → Ahola" in text
    assert "kotikunta: Helsinki → Jyväskylä" in text
    assert "etunimi:" not in text  # unchanged fields are not listed
    new, updated = page.context["sample"]
    assert new[1] is None and updated[1].email == "olli@example.com"


def test_counts_take_the_partitive_in_finnish(sales):
    rows = "".join(f"Nimi{i};Aalto;nimi{i}@example.com\r\n" for i in range(195))
    rows += "".join(f"Huono{i};Aalto;ei-osoite-{i}\r\n" for i in range(5))
    _job, location = _upload(sales.client, "Etunimi;Sukunimi;Sähköposti\r\n" + rows)

    text = _text(sales.client.get(location).content)

    assert "200 riviä: 195 valmista tuotavaksi, 5 virheellistä." in text


def test_one_of_each_takes_the_singular_in_finnish(sales):
    _job, location = _upload(
        sales.client, "Etunimi;Sukunimi;Sähköposti\r\nAino;Aalto;aino@example.com\r\n"
    )

    text = _text(sales.client.get(location).content)

    assert "1 rivi: 1 valmis tuotavaksi, 0 virheellistä." in text


def test_the_example_file_has_a_recognised_finnish_name_for_every_field(sales):
    page = sales.client.get("/admin/crm/contact/import/").content.decode()
    assert "/admin/crm/contact/import/example.csv" in page

    response = sales.client.get("/admin/crm/contact/import/example.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    parsed = parse(response.content)
    assert parsed.header == EXAMPLE_HEADER
    assert sorted(guess_mapping(parsed.header).values()) == sorted(TARGETS)
    assert len(parsed.rows) == 2


def test_the_example_file_imports_cleanly(sales):
    example = sales.client.get("/admin/crm/contact/import/example.csv").content
    response = sales.client.post(
        "/admin/crm/contact/import/",
        {"file": SimpleUploadedFile("esimerkki.csv", example, "text/csv")},
    )

    page = sales.client.get(response["Location"])

    assert page.context["error_rows"] == 0 and page.context["valid"] == 2


def test_the_example_file_needs_the_import_permission(marketing):
    response = marketing.client.get("/admin/crm/contact/import/example.csv")

    assert response.status_code == 403
    assert "Etunimi" not in response.content.decode()


@pytest.mark.parametrize(
    "value",
    [
        "179",
        "Jyväskylä",
        "JYVÄSKYLÄ",
        " jyväskylä ",
        unicodedata.normalize("NFD", "Jyväskylä"),  # as a Mac writes it
    ],
)
def test_a_municipality_is_found_by_code_or_name(value):
    assert municipality_by_code_or_name(value).code == "179"
    assert municipality_by_code_or_name(value, among=municipalities_by_key()).code == "179"


@pytest.mark.parametrize("value", ["91", "091", "Helsinki", "helsingfors", "HELSINGFORS"])
def test_helsinki_by_its_code_and_both_names(value):
    assert municipality_by_code_or_name(value).code == "091"


@pytest.mark.parametrize("value", ["", "999", "Atlantis", "Hel\x00sinki", "1" * 5000, None, 91])
def test_no_municipality_for_what_names_none(value):
    assert municipality_by_code_or_name(value) is None


def test_an_inactive_municipality_is_not_accepted():
    Municipality.objects.filter(code="179").update(active=False)

    assert municipality_by_code_or_name("Jyväskylä") is None


def test_the_import_takes_a_decomposed_name_as_a_mac_writes_it(sales):
    decomposed = unicodedata.normalize("NFD", "Ähtäri")
    _job, location = _upload(
        sales.client, f"Etunimi;Sukunimi;Kotikunta\r\nAino;Aalto;{decomposed}\r\n"
    )

    page = sales.client.get(location)

    assert page.context["error_rows"] == 0, page.context["errors"]


def test_the_example_file_is_valid_csv_for_excel(sales):
    raw = sales.client.get("/admin/crm/contact/import/example.csv").content

    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Etunimi"
