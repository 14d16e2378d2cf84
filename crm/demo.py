"""Demo data: a realistic Finnish register for `make run`, the benchmark and trying things out.

A million people must seed in about a minute, so rows are drawn from the same word lists the
factories use (Faker's Finnish names, weighted by how common each is, its job titles and company
forms) with one cheap random draw per field, and streamed as plain rows (bulk.insert_dicts);
building a factory-boy object per row cost more than writing it. Person ``n`` is a function of
``n`` alone (a generator seeded per block of rows), so the register is the same whether it
grew in one step or in several.
"""

import random
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

from django.db import transaction
from faker.providers.company.fi_FI import Provider as FinnishCompanies
from faker.providers.job.fi_FI import Provider as FinnishJobs
from faker.providers.person.fi_FI import Provider as FinnishNames

from . import bulk
from .factories import LARGEST_MUNICIPALITIES, ascii_slug, business_id_from_number
from .models import Contact, Membership, Municipality, Organisation

DEMO_SEED = 2026
BATCH = 10_000
BLOCK = 1_000  # rows drawn from one seeded generator
DEMO_SOURCE_DETAIL = "seed_demo"
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")  # RFC 2606: reach nobody
MOBILE_PREFIXES = ("40", "41", "44", "45", "46", "50")
SHARE_WITH_A_ROLE = 0.6


@dataclass(frozen=True)
class SeedResult:
    organisations: int
    contacts: int
    memberships: int


@dataclass(frozen=True)
class _Weighted:
    """Words and their cumulative weights, for ``random.choices``."""

    words: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weights: dict[str, float]) -> "_Weighted":
        return cls(tuple(weights), tuple(accumulate(weights.values())))

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)


@cache
def _vocabulary():
    return {
        "female": _Weighted.of(FinnishNames.first_names_female),
        "male": _Weighted.of(FinnishNames.first_names_male),
        "last": _Weighted.of(FinnishNames.last_names),
        "company_forms": tuple(FinnishCompanies.company_suffixes),
        "jobs": tuple(FinnishJobs.jobs),
    }


@cache
def _slug(word: str) -> str:
    return ascii_slug(word)


def _rng(kind: str, block: int) -> random.Random:
    # A string seed is hashed with SHA-512: the same rows on every machine and Python run.
    return random.Random(f"rekisteri-demo-{DEMO_SEED}-{kind}-{block}")  # noqa: S311 (demo data)


def _mobile(rng: random.Random) -> str:
    return f"+358{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**6, 10**7)}"


def _demo_business_ids(count: int) -> list[str]:
    ids, number = [], 2_600_000
    while len(ids) < count:
        bid = business_id_from_number(number)
        if bid:
            ids.append(bid)
        number += 1
    return ids


class _Places:
    """Half of the people live in the ten largest municipalities, as in Finland."""

    def __init__(self):
        pairs = list(
            Municipality.objects.filter(active=True).order_by("pk").values_list("pk", "code")
        )
        self.everywhere = [pk for pk, _code in pairs]
        self.large = [pk for pk, code in pairs if code in LARGEST_MUNICIPALITIES] or self.everywhere
        self.by_code = {code: pk for pk, code in pairs}

    def pick(self, rng: random.Random):
        if not self.everywhere:
            return None
        return rng.choice(self.large if rng.random() < 0.5 else self.everywhere)


# Organisation names as Finnish registers hold them: a place and a line of business ("Jyväskylän
# Kiinteistöpalvelut Oy", located in Jyväskylä), a line and a family name ("Rakennus Virtanen
# Oy"), a family business ("Kinnunen & Laine Ky", "Tmi Aino Mäkinen") or an association
# ("Tampereen Yrittäjät ry"). The places are (municipality code, the name in the genitive).
PLACES = (
    ("091", "Helsingin"),
    ("049", "Espoon"),
    ("837", "Tampereen"),
    ("092", "Vantaan"),
    ("564", "Oulun"),
    ("853", "Turun"),
    ("179", "Jyväskylän"),
    ("398", "Lahden"),
    ("297", "Kuopion"),
    ("609", "Porin"),
    ("167", "Joensuun"),
    ("405", "Lappeenrannan"),
    ("109", "Hämeenlinnan"),
    ("905", "Vaasan"),
    ("743", "Seinäjoen"),
    ("698", "Rovaniemen"),
    ("491", "Mikkelin"),
    ("285", "Kotkan"),
    ("734", "Salon"),
    ("638", "Porvoon"),
    ("272", "Kokkolan"),
    ("444", "Lohjan"),
    ("106", "Hyvinkään"),
    ("186", "Järvenpään"),
    ("684", "Rauman"),
    ("205", "Kajaanin"),
    ("286", "Kouvolan"),
    ("740", "Savonlinnan"),
    ("536", "Nokian"),
    ("980", "Ylöjärven"),
)
BUSINESS_LINES = (
    "Kiinteistöpalvelut",
    "Tilitoimisto",
    "Sähkö",
    "Rakennuspalvelu",
    "Kuljetus",
    "Siivouspalvelut",
    "Konepaja",
    "Talotekniikka",
    "LVI-palvelut",
    "Insinööritoimisto",
    "Arkkitehtitoimisto",
    "Mainostoimisto",
    "Ohjelmistotalo",
    "IT-palvelut",
    "Energia",
    "Lämpö",
    "Terveyspalvelut",
    "Hoivapalvelut",
    "Leipomo",
    "Kukkakauppa",
    "Matkailu",
    "Autokorjaamo",
    "Kattotyö",
    "Maalaus",
    "Puutarha",
    "Koulutuspalvelut",
    "Lakiasiaintoimisto",
    "Metalli",
    "Logistiikka",
    "Elektroniikka",
)
TRADES = (
    "Rakennus",
    "Kuljetus",
    "Sähkö",
    "Putki",
    "Maalaus",
    "Kone",
    "Auto",
    "Puu",
    "Kiinteistöhuolto",
)
ASSOCIATIONS = (
    "Yrittäjät",
    "Urheiluseura",
    "Kauppakamari",
    "Eläkeläiset",
    "Kotiseutuyhdistys",
    "Partiolaiset",
    "Kamarikuoro",
    "Taideyhdistys",
    "Metsästysseura",
    "Golfseura",
)


def _organisation_name(rng: random.Random, words) -> tuple[str, str | None]:
    """A name and, when the name says where the organisation is, its municipality code."""
    kind = rng.random()
    code, place = rng.choice(PLACES)
    if kind < 0.45:
        form = "Oyj" if rng.random() < 0.03 else "Oy"
        return f"{place} {rng.choice(BUSINESS_LINES)} {form}", code
    if kind < 0.7:
        return f"{rng.choice(TRADES)} {words['last'].draw(rng, 1)[0]} Oy", None
    if kind < 0.8:
        first, second = words["last"].draw(rng, 2)
        return f"{first} & {second} Ky", None
    if kind < 0.88:
        given = words["female" if rng.random() < 0.5 else "male"].draw(rng, 1)[0]
        return f"Tmi {given} {words['last'].draw(rng, 1)[0]}", None
    return f"{place} {rng.choice(ASSOCIATIONS)} ry", code


def _organisation_rows(numbers: list[tuple[int, str]], places: _Places) -> list[dict]:
    """The organisations with these (index, business ID), as rows."""
    words = _vocabulary()
    relationships = Organisation.Relationship.values
    rows = []
    for index, business_id in numbers:
        rng = _rng("organisation", index)  # one per organisation: there are few
        name, code = _organisation_name(rng, words)
        municipality = places.pick(rng)
        rows.append(
            {
                "name": name,
                "business_id": business_id,
                "relationship": relationships[index % len(relationships)],
                "municipality_id": places.by_code.get(code, municipality),
            }
        )
    return rows


def _web_domain(name: str) -> str:
    """'Jyväskylän Kiinteistöpalvelut Oy' -> 'jyvaskylan-kiinteistopalvelut' (an .example
    domain for the work addresses)."""
    words = [w for w in name.split() if w not in {"Oy", "Oyj", "Ky", "Tmi", "ry", "&"}]
    return "-".join(filter(None, (_slug(w) for w in words))) or "org"


def _people(start: int, stop: int, places: _Places, organisations: list[tuple[int, str]]):
    """Contact rows ``start``..``stop - 1`` and their roles (``contact_id`` filled in later)."""
    words = _vocabulary()
    languages, language_weights = ("fi", "sv", "en"), (85, 6, 9)
    # Never "erased": only erasure sets it, on a row without a name.
    categories = [value for value, _label in Contact.ASSIGNABLE_SUBJECT_CATEGORIES]
    people, roles = [], []
    for block in range(start // BLOCK, (stop - 1) // BLOCK + 1):
        rng = _rng("person", block)
        first = [
            words["female" if female else "male"].draw(rng, 1)[0]
            for female in (rng.random() < 0.5 for _ in range(BLOCK))
        ]
        last = words["last"].draw(rng, BLOCK)
        language = rng.choices(languages, weights=language_weights, k=BLOCK)
        for i in range(BLOCK):
            n = block * BLOCK + i
            # Every draw happens for every row, kept or not, so row n does not depend on start.
            phone = _mobile(rng)
            category = rng.choice(categories)
            municipality = places.pick(rng)
            has_role = rng.random() < SHARE_WITH_A_ROLE
            organisation = rng.randrange(1 << 30)
            job = rng.choice(words["jobs"])
            work_phone = _mobile(rng)
            if not start <= n < stop:
                continue
            slug = f"{_slug(first[i])}.{_slug(last[i])}"
            person = {
                "first_name": first[i],
                "last_name": last[i],
                "email": f"{slug}.{n}@{EMAIL_DOMAINS[n % 3]}",
                "phone": phone,
                "municipality_id": municipality,
                "preferred_language": language[i],
                "subject_category": category,
                "source": Contact.Source.DEMO,
                "source_detail": DEMO_SOURCE_DETAIL,
            }
            people.append(person)
            if has_role and organisations:
                org_id, org_slug = organisations[organisation % len(organisations)]
                roles.append(
                    (
                        person,
                        {
                            "organisation_id": org_id,
                            "job_title": job,
                            "work_email": f"{slug}@{org_slug}.example",
                            "work_phone": work_phone,
                        },
                    )
                )
    return people, roles


@transaction.atomic
def demo_seed(*, contacts: int) -> SeedResult:
    """Make sure the register holds at least ``contacts`` demo people.

    Running it again creates only what is missing, so `make run` can call it every time. Demo
    people are marked with the source "demo data"; their addresses are in the example.* domains
    reserved by RFC 2606, so no message can reach a real person.
    """
    places = _Places()
    wanted_ids = _demo_business_ids(max(5, contacts // 25))
    have_ids = set(
        Organisation.objects.filter(business_id__in=wanted_ids).values_list(
            "business_id", flat=True
        )
    )
    new_orgs = _organisation_rows(
        [(i, bid) for i, bid in enumerate(wanted_ids) if bid not in have_ids], places
    )
    bulk.insert_dicts(Organisation, new_orgs)
    organisations = [
        (pk, _web_domain(name))
        for pk, name in Organisation.objects.filter(business_id__in=wanted_ids)
        .order_by("business_id")
        .values_list("pk", "name")
    ]

    existing = Contact.objects.filter(source=Contact.Source.DEMO).count()
    created_contacts = created_memberships = 0
    for start in range(existing, contacts, BATCH):
        people, roles = _people(start, min(start + BATCH, contacts), places, organisations)
        bulk.insert_dicts(Contact, people, ids=True)
        bulk.insert_dicts(
            Membership, [{"contact_id": person["id"], **role} for person, role in roles]
        )
        created_contacts += len(people)
        created_memberships += len(roles)
    return SeedResult(len(new_orgs), created_contacts, created_memberships)
