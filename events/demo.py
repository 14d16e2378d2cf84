"""Demo events for `make run` (crm/management/commands/seed_demo.py): a paid annual seminar
with billing details, a training day with a dietary question (sensitive, with its consent) and a
caterer that may receive it, and a customer evening with a networking list that is full and has
a waiting list. Registrations are made through events.services with existing demo people (no
mails are sent); running it again creates nothing new.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.models import Contact, Membership

from . import services
from .models import Event, Question, Recipient, Registration


def _when(days: int, hour: int, length_hours: int):
    start = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0)
    start += datetime.timedelta(days=days)
    return start, start + datetime.timedelta(hours=length_hours)


def _common(days: int, hour: int, hours: int) -> dict:
    starts_at, ends_at = _when(days, hour, hours)
    now = timezone.now()
    return {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "registration_opens_at": now - datetime.timedelta(days=14),
        "registration_closes_at": starts_at - datetime.timedelta(days=2),
        "is_published": True,
        "organiser_unit": "Koulutus- ja tapahtumapalvelut",
        "contact_name": "Outi Järjestäjä",
        "contact_email": "tapahtumat@example.com",
        "contact_phone": "+358401234567",
    }


def _people(count: int, skip: int = 0) -> list[Contact]:
    return list(
        Contact.objects.filter(source=Contact.Source.DEMO)
        .exclude(email="")
        .order_by("pk")[skip : skip + count]
    )


def _register(event, contact, **extra):
    data = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "phone": str(contact.phone or ""),
        **extra,
    }
    return services.registration_create(
        event=event,
        data=data,
        source=Registration.Source.STAFF,
        language=contact.preferred_language,
        send_mail=False,
    )


def _seminar() -> None:
    event = services.event_create(
        slug="vuosiseminaari",
        title_fi="Vuosiseminaari",
        title_sv="Årsseminarium",
        title_en="Annual seminar",
        description_fi="Alan ajankohtaiset asiat, puheenvuorot ja paneeli. Hintaan sisältyy "
        "lounas ja iltapäiväkahvi.",
        description_sv="Aktuellt i branschen, anföranden och en panel. Lunch och eftermiddagskaffe "
        "ingår i priset.",
        description_en="Current topics, talks and a panel. Lunch and afternoon coffee included.",
        venue="Paasitorni, Paasivuorenkatu 5 A, Helsinki",
        capacity=80,
        price=Decimal("180.00"),
        vat_rate=Decimal("25.50"),
        retention_days=180,
        **_common(45, 9, 7),
    )
    for contact in _people(12):
        membership = (
            Membership.objects.filter(contact=contact)
            .exclude(organisation__business_id="")
            .select_related("organisation")
            .first()
        )
        if membership is None:
            billing = {
                "payer_kind": "person",
                "payer_name": str(contact),
                "street_address": contact.street_address or "Esimerkkikatu 1",
                "postal_code": contact.postal_code or "00100",
                "city": contact.post_office or "Helsinki",
            }
            organisation_name = ""
        else:
            organisation = membership.organisation
            digits = organisation.business_id.replace("-", "")
            billing = {
                "payer_kind": "organisation",
                "payer_name": str(contact),
                "organisation_name": organisation.name,
                "business_id": organisation.business_id,
                "einvoice_address": f"0037{digits}",
                "einvoice_operator": "003721291126",
            }
            organisation_name = organisation.name
        _register(
            event,
            contact,
            billing=billing,
            organisation_name=organisation_name,
            job_title=membership.job_title if membership else "",
        )


def _training_day() -> None:
    event = services.event_create(
        slug="koulutuspaiva",
        title_fi="Kevään koulutuspäivä",
        title_sv="Vårens utbildningsdag",
        title_en="Spring training day",
        description_fi="Käytännön koulutuspäivä tietosuojasta ja asiakastyöstä.",
        description_sv="En praktisk utbildningsdag om dataskydd och kundarbete.",
        venue="Tampere-talo, Yliopistonkatu 55, Tampere",
        capacity=30,
        retention_days=90,
        **_common(30, 9, 6),
    )
    diet = services.question_create(
        event=event,
        kind=Question.Kind.MULTIPLE_CHOICE,
        text_fi="Erityisruokavalio",
        text_sv="Specialkost",
        text_en="Special diet",
        sensitive=True,
        consent_text_fi="Suostun siihen, että ruokavaliotietoni käsitellään ja välitetään "
        "pitopalvelulle tarjoilua varten. Tiedot poistetaan tapahtuman jälkeen.",
        consent_text_sv="Jag samtycker till att uppgifterna om min kost behandlas och lämnas till "
        "cateringen för serveringen. Uppgifterna raderas efter evenemanget.",
        consent_text_en="I agree that my dietary details are processed and passed to the caterer "
        "for the catering. They are deleted after the event.",
        order=1,
        choices=[
            {"label_fi": "Gluteeniton", "label_sv": "Glutenfri", "label_en": "Gluten-free"},
            {"label_fi": "Laktoositon", "label_sv": "Laktosfri", "label_en": "Lactose-free"},
            {"label_fi": "Kasvis", "label_sv": "Vegetarisk", "label_en": "Vegetarian"},
            {"label_fi": "Vegaaninen", "label_sv": "Vegansk", "label_en": "Vegan"},
        ],
    )
    workshop = services.question_create(
        event=event,
        kind=Question.Kind.SINGLE_CHOICE,
        text_fi="Iltapäivän työpaja",
        text_sv="Eftermiddagens workshop",
        text_en="Afternoon workshop",
        required=True,
        order=2,
        choices=[
            {"label_fi": "Tietosuoja käytännössä", "label_sv": "Dataskydd i praktiken"},
            {"label_fi": "Asiakaskokemus", "label_sv": "Kundupplevelse"},
        ],
    )
    services.recipient_create(
        event=event,
        name="Pitopalvelu Herkku Oy",
        kind=Recipient.Kind.CATERER,
        email="tilaukset@herkku.example.com",
        fields=["first_name", "last_name"],
        questions=[diet],
    )
    diets = list(diet.choices.all())
    workshops = list(workshop.choices.all())
    for n, contact in enumerate(_people(18, skip=12)):
        answers = {workshop.pk: workshops[n % 2].pk}
        consents = []
        if n % 4 == 0:
            answers[diet.pk] = [diets[n % len(diets)].pk]
            consents = [diet.pk]
        _register(event, contact, answers=answers, sensitive_consents=consents)


def _customer_evening() -> None:
    event = services.event_create(
        slug="asiakasilta",
        title_fi="Asiakasilta ja verkostoituminen",
        title_sv="Kundkväll och nätverkande",
        title_en="Customer evening and networking",
        description_fi="Rento ilta asiakkaiden ja kumppaneiden kesken. Osallistujat voivat liittyä "
        "verkostoitumislistalle.",
        description_sv="En avslappnad kväll med kunder och partner. Deltagarna kan gå med i "
        "nätverkslistan.",
        venue="Hotelli Torni, Yrjönkatu 26, Helsinki",
        capacity=10,
        networking_offered=True,
        retention_days=60,
        **_common(20, 17, 4),
    )
    for n, contact in enumerate(_people(13, skip=30)):
        _register(
            event,
            contact,
            networking=n % 3 != 2,
            share_email=True,
            share_organisation=n % 2 == 0,
        )


@transaction.atomic
def demo_events_seed() -> int:
    """The demo events that are missing; returns how many were created."""
    makers = {
        "vuosiseminaari": _seminar,
        "koulutuspaiva": _training_day,
        "asiakasilta": _customer_evening,
    }
    have = set(Event.objects.filter(slug__in=makers).values_list("slug", flat=True))
    for slug, make in makers.items():
        if slug not in have:
            make()
    return len(makers) - len(have)
