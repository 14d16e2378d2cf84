"""The consent purposes of events: the networking list and sharing with an event's partners.

Not marketing: they are asked on an event's registration form and given per event (one topic per
event, ``event-<id>``, which events.services creates); the ledger names the event in each row's
note. Made by migration 0004 and, should they be missing (a test database emptied between
tests), by ``ensure`` when an event first needs them.
"""

from __future__ import annotations

NETWORKING = "event-networking"
PARTNERS = "event-partners"

PURPOSES = [
    {
        "code": NETWORKING,
        "name_fi": "Tapahtuman verkostoitumislista",
        "name_sv": "Evenemangets nätverkslista",
        "name_en": "Event networking list",
        "description_fi": "Muut osallistujat näkevät nimesi, organisaatiosi ja valitsemasi "
        "yhteystiedot tapahtuman verkostoitumislistalla.",
        "description_sv": "De andra deltagarna ser ditt namn, din organisation och de "
        "kontaktuppgifter du väljer på evenemangets nätverkslista.",
        "description_en": "The other participants see your name, organisation and the contact "
        "details you choose on the event's networking list.",
        "text_fi": "Suostun siihen, että tapahtuman muut verkostoitumislistalle liittyneet "
        "osallistujat näkevät nimeni, organisaationi ja valitsemani yhteystiedot. Voin perua "
        "suostumuksen milloin tahansa.",
        "text_sv": "Jag samtycker till att de andra deltagarna på evenemangets nätverkslista ser "
        "mitt namn, min organisation och de kontaktuppgifter jag väljer. Jag kan återkalla "
        "samtycket när som helst.",
        "text_en": "I agree that the event's other participants on its networking list see my "
        "name, organisation and the contact details I choose. I can withdraw this at any time.",
    },
    {
        "code": PARTNERS,
        "name_fi": "Tietojen luovutus tapahtuman yhteistyökumppaneille",
        "name_sv": "Uppgifter till evenemangets samarbetspartner",
        "name_en": "Sharing with the event's partners",
        "description_fi": "Tapahtuman yhteistyökumppanit saavat yhteystietosi.",
        "description_sv": "Evenemangets samarbetspartner får dina kontaktuppgifter.",
        "description_en": "The event's partners receive your contact details.",
        "text_fi": "Suostun siihen, että yhteystietoni luovutetaan tapahtuman tapahtumasivulla "
        "nimetyille yhteistyökumppaneille. Voin perua suostumuksen milloin tahansa.",
        "text_sv": "Jag samtycker till att mina kontaktuppgifter lämnas ut till de "
        "samarbetspartner som nämns på evenemangets sida. Jag kan återkalla samtycket när som "
        "helst.",
        "text_en": "I agree that my contact details are given to the partners named on the "
        "event's page. I can withdraw this at any time.",
    },
]


def ensure(Purpose, ConsentText, code: str | None = None):
    """The event purposes (or the one ``code`` names) with their first wording, made when
    missing; works with the migration's historical models too. Returns {code: purpose}."""
    made = {}
    for values in PURPOSES:
        if code is not None and values["code"] != code:
            continue
        values = dict(values)
        texts = {k: values.pop(k) for k in ("text_fi", "text_sv", "text_en")}
        purpose, _created = Purpose.objects.get_or_create(
            code=values.pop("code"),
            defaults={
                **values,
                "legal_basis": "consent",
                "is_marketing": False,
                "validity_days": 730,
                "renewal_days": 0,
            },
        )
        if not ConsentText.objects.filter(purpose=purpose).exists():
            ConsentText.objects.get_or_create(purpose=purpose, version=1, defaults=texts)
        made[purpose.code] = purpose
    return made
