"""The DPO describes a register in the admin: purposes, apps and categories are chosen from
what the code declares, and a form without them is refused with a message."""

import pytest
from django.urls import reverse

from privacy.models import Register

pytestmark = pytest.mark.django_db

INLINE = {
    "texts-TOTAL_FORMS": "1",
    "texts-INITIAL_FORMS": "0",
    "texts-MIN_NUM_FORMS": "0",
    "texts-MAX_NUM_FORMS": "3",
    "texts-0-language": "fi",
    "texts-0-title": "Chat-palvelun rekisteri",
    "texts-0-subject_groups": "Chat-palvelun käyttäjät",
    "texts-0-sources": "Käyttäjä itse",
    "texts-0-security_electronic": "Pääsy rajattu tehtävien mukaan.",
}


def test_the_dpo_adds_a_register_in_the_admin(dpo):
    response = dpo.client.post(
        reverse("admin:privacy_register_add"),
        {
            "name": "Chat-rekisteri",
            "slug": "chat",
            "purposes": ["customer_relationship"],
            "categories": ["communications", "technical"],
            **INLINE,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    register = Register.objects.get(name="Chat-rekisteri")
    assert register.categories == ["communications", "technical"]
    assert register.texts.get().title == "Chat-palvelun rekisteri"


def test_a_register_without_purposes_or_coverage_is_refused(dpo):
    response = dpo.client.post(
        reverse("admin:privacy_register_add"),
        {"name": "Tyhjä", "slug": "tyhja", "purposes": ["no-such-purpose"], **INLINE},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "no-such-purpose" in page  # named as not one of the choices
    assert "Valitse vähintään yksi sovellus tai tietoryhmä" in page
    assert not Register.objects.exists()
