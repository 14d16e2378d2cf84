"""The public error pages speak the visitor's language and look like the site (DEBUG off)."""

import pytest
from django.core import mail
from django.template.loader import get_template
from django.test import Client
from django.utils import translation

from .conftest import link_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("prefix", "words"), [("", "Sivua ei löydy"), ("/sv", "Sidan hittades inte")]
)
def test_a_missing_page_says_so_in_the_visitors_language(prefix, words):
    response = Client().get(f"{prefix}/consent/ei-ole-tallaista/")

    assert response.status_code == 404
    page = response.content.decode()
    assert words in page and "css/site.css" in page


@pytest.mark.parametrize(
    ("prefix", "words"),
    [("", "Selaimesi ei lähettänyt suojausevästettä"), ("/sv", "Din webbläsare skickade inte")],
)
def test_a_form_without_the_security_cookie_asks_to_reload_in_the_visitors_language(
    purpose, prefix, words, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            f"{prefix}/consent/signup/{purpose.code}/",
            {"first_name": "A", "last_name": "B", "email": "a@example.com", "topics": ["kurssit"]},
        )
    confirm = link_in(mail.outbox[0], "/consent/confirm/")

    response = Client(enforce_csrf_checks=True).post(confirm)

    assert response.status_code == 403
    page = response.content.decode()
    assert words in page and "CSRF" not in page


def test_the_server_error_page_renders_with_no_context_and_no_database(
    django_assert_num_queries,
):
    with translation.override("sv"), django_assert_num_queries(0):
        page = get_template("500.html").render()

    assert "Något gick fel" in page
