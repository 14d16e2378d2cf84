import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "lang", "heading"),
    [
        ("/privacy/", "fi", "Tietosuoja ja tietosi"),
        ("/sv/privacy/", "sv", "Dataskydd och dina uppgifter"),
        ("/en/privacy/", "en", "Privacy and your data"),
    ],
)
def test_the_privacy_page_speaks_finnish_swedish_and_english(client, path, lang, heading):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{heading}</h1>" in html


def test_finnish_is_the_default_whatever_the_browser_says(client):
    response = client.get("/privacy/", headers={"accept-language": "en"})

    assert "<h1>Tietosuoja ja tietosi</h1>" in response.content.decode()


def test_public_pages_send_a_content_security_policy_and_no_framing(client):
    response = client.get("/privacy/")

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_language_switch_moves_to_the_chosen_language(client):
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/privacy/"})

    assert response.status_code == 302
    assert response["Location"] == "/sv/privacy/"


def test_the_home_page_is_the_privacy_portal(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/privacy/"


@pytest.mark.parametrize(
    ("path", "other_languages"),
    [
        ("/privacy/", {"sv": "/sv/privacy/", "en": "/en/privacy/"}),
        ("/sv/privacy/", {"fi": "/privacy/", "en": "/en/privacy/"}),
        ("/en/privacy/", {"fi": "/privacy/", "sv": "/sv/privacy/"}),
    ],
)
def test_the_language_links_lead_to_the_same_page_in_each_other_language(
    client, path, other_languages
):
    html = client.get(path).content.decode()

    for code, address in other_languages.items():
        assert f'<a href="{address}" hreflang="{code}"' in html
        heading = client.get(address).content.decode()
        assert f'<html lang="{code}">' in heading


def test_the_privacy_page_names_the_controller_and_the_ombudsman(client, settings):
    settings.CONTROLLER_NAME = "Jyväskylän Koulutus Oy"
    settings.CONTROLLER_ADDRESS = "Kauppakatu 1, 40100 Jyväskylä"
    settings.CONTROLLER_BUSINESS_ID = "1234567-1"
    settings.PRIVACY_CONTACT_EMAIL = "tietosuoja@koulutus.example.fi"

    html = client.get("/privacy/").content.decode()

    assert "Jyväskylän Koulutus Oy" in html
    assert "Kauppakatu 1, 40100 Jyväskylä" in html
    assert "1234567-1" in html
    assert 'href="mailto:tietosuoja@koulutus.example.fi"' in html
    assert 'href="https://tietosuoja.fi"' in html
    assert "Rekisterinpitäjä" in html
