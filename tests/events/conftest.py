import datetime
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from events.models import Choice, Event, Question


def make_event(**values) -> Event:
    now = timezone.now()
    defaults = {
        "slug": "kevatseminaari",
        "title_fi": "Kevätseminaari",
        "title_sv": "Vårseminarium",
        "title_en": "Spring seminar",
        "organiser_unit": "Koulutuspalvelut",
        "contact_name": "Outi Järjestäjä",
        "contact_email": "outi@example.com",
        "starts_at": now + datetime.timedelta(days=30),
        "ends_at": now + datetime.timedelta(days=30, hours=6),
        "venue": "Paasitorni, Helsinki",
        "capacity": 2,
        "registration_opens_at": now - datetime.timedelta(days=1),
        "registration_closes_at": now + datetime.timedelta(days=20),
        "is_published": True,
    }
    defaults.update(values)
    event = Event(**defaults)
    event.full_clean()
    event.save()
    return event


def add_question(event, *, kind=Question.Kind.TEXT, choices=(), **values) -> Question:
    question = Question(event=event, kind=kind, text_fi=values.pop("text_fi", "Kysymys"), **values)
    question.full_clean()
    question.save()
    for order, label in enumerate(choices):
        Choice.objects.create(
            question=question, label_fi=label, label_sv=label + " (sv)", order=order
        )
    return question


@pytest.fixture
def event(db):
    return make_event()


@pytest.fixture
def paid_event(db):
    return make_event(slug="maksullinen", price=Decimal("120.00"), capacity=10)


def person(n: int = 1, **extra) -> dict:
    return {
        "first_name": f"Etu{n}",
        "last_name": f"Suku{n}",
        "email": f"osallistuja{n}@example.com",
        **extra,
    }


def link_in(message, marker: str) -> str:
    for url in re.findall(r"https?://\S+", message.body):
        if marker in url:
            return urlsplit(url).path
    raise AssertionError(f"no {marker} link in: {message.body}")
