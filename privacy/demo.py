"""Two register descriptions modelled on real Finnish privacy notices (a customer register and
an event participants register), so that the demo prints complete reports. What the system
knows (fields, categories, retention, legal bases) is not written here: apps and purposes
select it from the declarations."""

from __future__ import annotations

from .services import register_load

_SECURITY_FI = (
    "Järjestelmään pääsy on rajattu työtehtävien mukaisesti. Käyttö edellyttää henkilökohtaista "
    "käyttäjätunnusta, salasanaa ja kaksivaiheista tunnistautumista. Yhteydet on salattu (HTTPS). "
    "Jokainen henkilötietojen katselu ja muutos kirjataan lokiin. Tiedot varmuuskopioidaan "
    "päivittäin."
)
_SECURITY_EN = (
    "Access is limited to the staff whose work requires it. Use requires a personal account, a "
    "password and two-factor authentication. Connections are encrypted (HTTPS). Every view and "
    "change of personal data is logged. Data is backed up daily."
)
_SECURITY_SV = (
    "Åtkomsten är begränsad enligt arbetsuppgifter. Användningen kräver personligt "
    "användarnamn, lösenord och tvåstegsverifiering. Förbindelserna är krypterade (HTTPS). "
    "Varje visning och ändring av personuppgifter loggas. Uppgifterna säkerhetskopieras dagligen."
)

CUSTOMER_REGISTER = {
    "name": "Asiakasrekisteri",
    "slug": "asiakasrekisteri",
    # Names and contact details; each text lists them again with the roles in its language.
    "contact_persons": [
        "Anna Virtanen, anna.virtanen@example.com",
        "Timo Lehto, +358 40 123 4567",
    ],
    "data_protection_officer": {
        "name": "Liisa Korhonen",
        "email": "tietosuoja@example.com",
        "phone": "+358 40 765 4321",
    },
    "purposes": ["customer_relationship", "marketing", "accountability"],
    "apps": ["crm", "consent", "privacy"],
    "categories": [],
    "texts": {
        "fi": {
            "title": "Asiakas- ja sidosryhmärekisteri",
            "contact_persons": [
                "Rekisteristä vastaava johtaja: myyntijohtaja Anna Virtanen, "
                "anna.virtanen@example.com",
                "Rekisterin yhteyshenkilö: viestintäpäällikkö Timo Lehto, +358 40 123 4567",
            ],
            "description": (
                "Rekisterin käyttötarkoituksena on asiakas- ja sidosryhmäsuhteiden hoito, "
                "palvelujen markkinointi ja myynti sekä uutiskirjeet niihin suostuneille."
            ),
            "subject_groups": [
                "Asiakkaat ja potentiaaliset asiakkaat",
                "Asiakas- ja sidosryhmäorganisaatioiden yhteyshenkilöt",
                "Uutiskirjeen tilaajat",
            ],
            "sources": (
                "Tiedot saadaan henkilöltä itseltään (lomakkeet, sähköposti, puhelut, messut), "
                "asiakassopimuksista ja organisaation nimeämältä yhteyshenkilöltä."
            ),
            "disclosures": "",
            "transfers": "",
            "retention": "Tietoja säilytetään asiakassuhteen ajan tai kunnes rekisteröity "
            "peruuttaa suostumuksensa.",
            "security_electronic": _SECURITY_FI,
            "security_manual": "",
            "profiling": "",
        },
        "en": {
            "title": "Customer and stakeholder register",
            "contact_persons": [
                "Director responsible for the register: Sales Director Anna Virtanen, "
                "anna.virtanen@example.com",
                "Contact person: Communications Manager Timo Lehto, +358 40 123 4567",
            ],
            "description": (
                "The register is used to manage customer and stakeholder relationships, to market "
                "and sell services, and to send newsletters to those who have consented to them."
            ),
            "subject_groups": [
                "Customers and potential customers",
                "Contact persons of customer and stakeholder organisations",
                "Newsletter subscribers",
            ],
            "sources": (
                "Data is received from the person (forms, email, calls, fairs), from customer "
                "contracts and from the contact person the organisation names."
            ),
            "disclosures": "",
            "transfers": "",
            "retention": "Data is kept for the customer relationship or until the person "
            "withdraws consent.",
            "security_electronic": _SECURITY_EN,
            "security_manual": "",
            "profiling": "",
        },
        "sv": {
            "title": "Kund- och intressentregister",
            "contact_persons": [
                "Direktör med ansvar för registret: försäljningsdirektör Anna Virtanen, "
                "anna.virtanen@example.com",
                "Kontaktperson: kommunikationschef Timo Lehto, +358 40 123 4567",
            ],
            "description": (
                "Registret används för att sköta kund- och intressentrelationer, för "
                "marknadsföring och försäljning av tjänster samt för nyhetsbrev till dem som "
                "samtyckt till dem."
            ),
            "subject_groups": [
                "Kunder och potentiella kunder",
                "Kontaktpersoner hos kund- och intressentorganisationer",
                "Prenumeranter av nyhetsbrevet",
            ],
            "sources": (
                "Uppgifterna fås av personen själv (blanketter, e-post, samtal, mässor), ur "
                "kundavtal och av den kontaktperson som organisationen utsett."
            ),
            "security_electronic": _SECURITY_SV,
        },
    },
}

EVENT_REGISTER = {
    "name": "Tapahtumarekisteri",
    "slug": "tapahtumat",
    "contact_persons": ["Mikko Nieminen, tapahtumat@example.com"],
    "data_protection_officer": {"name": "Liisa Korhonen", "email": "tietosuoja@example.com"},
    "purposes": ["events", "accounting"],
    "apps": ["events"],
    "categories": [],
    "texts": {
        "fi": {
            "title": "Tapahtumien ja koulutusten osallistujarekisteri",
            "contact_persons": ["Tapahtumapäällikkö Mikko Nieminen, tapahtumat@example.com"],
            "description": (
                "Ilmoittautumisen yhteydessä annettuja tietoja käytetään tapahtumajärjestelyjen "
                "hoitamiseen, tapahtumaan liittyviin viesteihin, maksullisten tapahtumien "
                "laskutukseen ja osallistujien tilastointiin."
            ),
            "subject_groups": ["Tapahtumiin ja koulutuksiin ilmoittautuneet", "Laskun maksajat"],
            "sources": "Tiedot kerätään henkilöltä itseltään ilmoittautumisen yhteydessä.",
            "disclosures": (
                "Tietoja voidaan luovuttaa nimetyille kolmansille osapuolille vain tapahtuman "
                "järjestelyjen niin vaatiessa (esim. majoitus, catering, kuljetus). Nimi- ja "
                "yhteystietoja jaetaan muiden osallistujien kanssa vain henkilön luvalla."
            ),
            "retention": "Tapahtumakohtaiset tiedot poistetaan, kun niitä ei enää tarvita "
            "tapahtuman toteuttamiseen tai jälkihoitoon; laskutustiedot säilytetään "
            "kirjanpitolain mukaan.",
            "security_electronic": _SECURITY_FI,
            "security_manual": "Paperiset osallistujalistat säilytetään lukitussa tilassa ja "
            "hävitetään tietoturvallisesti tapahtuman jälkeen.",
        },
        "en": {
            "title": "Event and training participants register",
            "contact_persons": ["Event Manager Mikko Nieminen, tapahtumat@example.com"],
            "description": (
                "Data given when registering is used to arrange the event, for messages about it, "
                "to invoice paid events and for statistics of participation."
            ),
            "subject_groups": ["People registered for events and training", "Payers of invoices"],
            "sources": "Data is collected from the person when they register.",
            "disclosures": (
                "Data may be disclosed to named third parties only where the arrangements require "
                "it (e.g. accommodation, catering, transport). Names and contact details are "
                "shared with other participants only with the person's permission."
            ),
            "retention": "Event-specific data is erased when the event and its follow-up no "
            "longer need it; invoicing data is kept as the Accounting Act requires.",
            "security_electronic": _SECURITY_EN,
            "security_manual": "Paper participant lists are kept locked and destroyed securely "
            "after the event.",
        },
    },
}

DEMO_REGISTERS = (CUSTOMER_REGISTER, EVENT_REGISTER)


def demo_registers() -> int:
    """Load (or update) the demo register descriptions; safe to run again."""
    for document in DEMO_REGISTERS:
        register_load(document=document)
    return len(DEMO_REGISTERS)
