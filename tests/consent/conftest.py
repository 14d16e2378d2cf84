import pytest

from consent import services
from consent.models import Purpose, Topic


@pytest.fixture
def purpose(db):
    """The training newsletter, with two topics and its consent text (version 1)."""
    newsletter = Purpose.objects.create(
        code="koulutuskirje",
        name_fi="Koulutuskirje",
        name_sv="Utbildningsbrev",
        name_en="Training newsletter",
        validity_days=730,
        renewal_days=30,
    )
    Topic.objects.create(purpose=newsletter, code="kurssit", name_fi="Kurssit", name_en="Courses")
    Topic.objects.create(
        purpose=newsletter, code="webinaarit", name_fi="Webinaarit", name_en="Webinars"
    )
    services.consent_text_publish(
        purpose=newsletter,
        text_fi="Haluan koulutuskirjeen sähköpostiini. Voin perua suostumuksen milloin tahansa.",
        text_sv="Jag vill få utbildningsbrevet. Jag kan återkalla samtycket när som helst.",
        text_en="I want the training newsletter by email. I can withdraw at any time.",
    )
    return newsletter


@pytest.fixture
def staff_evidence():
    return services.Evidence(source="staff", detail="Sanna Myynti", note="Puhelimessa")


def link_in(message, marker: str) -> str:
    """The path of the first address in ``message``'s text that contains ``marker``."""
    import re
    from urllib.parse import urlsplit

    for url in re.findall(r"https?://\S+", message.body):
        if marker in url:
            return urlsplit(url).path
    raise AssertionError(f"no {marker} link in: {message.body}")
