"""The register description, the Art. 30 record and the consent report as PDFs: every section
and every declared field the register covers appears, in the language asked for."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from privacy import registers
from privacy.reports import consent_pdf, record_of_processing, register_pdf

from .registers_helpers import customer_register, event_register, pdf_text, squeezed

pytestmark = pytest.mark.django_db

SECTIONS_FI = [
    "Rekisterinpitäjä",
    "Rekisterin nimi",
    "Henkilötietojen käsittelyn tarkoitukset ja oikeusperusteet",
    "Rekisteröityjen ryhmät",
    "Rekisterin tietosisältö",
    "Säännönmukaiset tietolähteet",
    "Säännönmukaiset luovutukset ja vastaanottajat",
    "Tietojen siirto EU:n tai ETA:n ulkopuolelle",
    "Säilytysajat tai niiden määrittämisperusteet",
    "Rekisterin suojauksen periaatteet",
    "Automaattinen päätöksenteko ja profilointi",
    "Rekisteröidyn oikeudet",
    "Oikeus tehdä valitus valvontaviranomaiselle",
]


def test_the_finnish_notice_has_every_section_and_every_covered_field():
    register = customer_register()
    text = squeezed(pdf_text(register_pdf(register, "fi")))

    for section in SECTIONS_FI:
        assert squeezed(section) in text, section
    covered = registers.covered_fields(register)
    assert covered
    with translation.override("fi"):
        for field in covered:
            assert squeezed(field.verbose) in text, field.dotted
            for category in field.categories:
                assert squeezed(str(category.label)) in text
    assert squeezed("Tietosuojavaltuutetun toimisto") in text
    assert squeezed("PL 800, 00531 Helsinki") in text
    assert "tietosuoja@om.fi" in text
    assert squeezed("029 566 6700") in text
    assert registers.fingerprint(register) in text


def test_the_notice_says_how_a_merged_persons_old_address_is_kept():
    register = customer_register()
    text = squeezed(pdf_text(register_pdf(register, "en")))
    assert squeezed("the merged record's old address is kept") in text


def test_a_register_without_swedish_says_so_in_swedish_instead_of_mixing():
    register = event_register()
    text = pdf_text(register_pdf(register, "sv"))
    assert squeezed("Denna registerbeskrivning finns inte på svenska.") in squeezed(text)
    assert "Tapahtumien ja koulutusten" not in text


@pytest.mark.parametrize(
    ("language", "role", "not_shown"),
    [
        ("sv", "Kontaktperson: kommunikationschef Timo Lehto", "yhteyshenkilö"),
        ("en", "Contact person: Communications Manager Timo Lehto", "yhteyshenkilö"),
        ("fi", "Rekisterin yhteyshenkilö: viestintäpäällikkö Timo Lehto", "Contact person"),
    ],
)
def test_the_contact_persons_roles_are_in_the_notices_language(language, role, not_shown):
    register = customer_register()
    text = squeezed(pdf_text(register_pdf(register, language)))
    assert squeezed(role) in text
    assert not_shown not in text


def test_a_language_without_its_own_contact_persons_prints_the_registers_list():
    register = customer_register()
    english = register.texts.get(language="en")
    english.contact_persons = ""
    english.save()
    text = squeezed(pdf_text(register_pdf(register, "en")))
    assert squeezed("Timo Lehto, +358 40 123 4567") in text
    assert "yhteyshenkilö" not in text


def test_the_record_of_processing_has_points_a_to_g_for_every_register():
    customer_register()
    event_register()
    text = squeezed(pdf_text(record_of_processing("en")))
    for point in ("(a)", "(b)", "(c)", "(d)", "(e)", "(f)", "(g)"):
        assert text.count(point) >= 2, point
    assert "Asiakasrekisteri" in text
    assert "Tapahtumarekisteri" in text


def test_the_command_lists_the_registers_and_writes_the_pdf(tmp_path):
    customer_register()
    event_register()
    out = io.StringIO()
    call_command("register_report", "--list", stdout=out)
    assert out.getvalue().splitlines() == ["Asiakasrekisteri", "Tapahtumarekisteri"]

    target = tmp_path / "seloste.pdf"
    call_command(
        "register_report",
        "Tapahtumarekisteri",
        "--lang",
        "en",
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    assert "Event and training participants register" in pdf_text(target.read_bytes())


def test_the_consent_report_counts_valid_and_withdrawn_consents(purpose):
    from consent import services
    from tests.factories import ContactFactory

    evidence = services.Evidence(source="staff", detail="Sanna")
    for _i in range(3):
        services.consent_give(contact=ContactFactory(), purpose=purpose, evidence=evidence)
    leaver = ContactFactory()
    services.consent_give(contact=leaver, purpose=purpose, evidence=evidence)
    services.consent_withdraw(contact=leaver, purpose=purpose, evidence=evidence)

    text = pdf_text(consent_pdf("fi"))

    assert "Koulutuskirje 3 1 0" in text
