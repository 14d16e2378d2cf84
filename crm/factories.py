"""factory-boy factories for realistic Finnish people and organisations.

Used by the tests (tests/factories.py); the demo data (crm/demo.py) draws from the same Finnish
word lists without building an object per row. Randomness comes from factory-boy's generator,
so ``factory.random.reseed_random`` makes a run repeatable.
"""

import unicodedata

import factory
from factory.django import DjangoModelFactory
from factory.random import randgen

from .models import Contact, Membership, Organisation

BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
LARGEST_MUNICIPALITIES = ("091", "049", "837", "092", "564", "853", "179", "398", "297", "609")


def business_id_check_digit(digits: str) -> int | None:
    """The Y-tunnus check digit of seven digits, or None where no valid one exists."""
    remainder = sum(int(d) * w for d, w in zip(digits, BUSINESS_ID_WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def business_id_from_number(number: int) -> str | None:
    digits = f"{number:07d}"
    check = business_id_check_digit(digits)
    return None if check is None else f"{digits}-{check}"


def ascii_slug(text: str) -> str:
    """'Äijälä-Öhman' -> 'aijala-ohman', for addresses in example domains."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum() or c == "-")


def finnish_mobile() -> str:
    prefix = randgen.choice(("40", "41", "44", "45", "46", "50"))
    return f"+358{prefix}{randgen.randrange(10**6, 10**7)}"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Faker("company", locale="fi_FI")
    business_id = factory.Sequence(
        lambda n: (
            business_id_from_number(2_000_000 + 2 * n) or business_id_from_number(2_000_001 + 2 * n)
        )
    )
    relationship = factory.Iterator(Organisation.Relationship.values)


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name", locale="fi_FI")
    last_name = factory.Faker("last_name", locale="fi_FI")
    email = factory.LazyAttributeSequence(
        lambda o, n: f"{ascii_slug(o.first_name)}.{ascii_slug(o.last_name)}.{n}@example.com"
    )
    phone = factory.LazyFunction(finnish_mobile)
    preferred_language = factory.LazyFunction(
        lambda: randgen.choices(("fi", "sv", "en"), weights=(85, 6, 9))[0]
    )
    # Never "erased": only erasure sets it, on a row without a name.
    subject_category = factory.LazyFunction(
        lambda: randgen.choice(Contact.ASSIGNABLE_SUBJECT_CATEGORIES)[0]
    )
    source = Contact.Source.STAFF


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    contact = factory.SubFactory(ContactFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    job_title = factory.Faker("job", locale="fi_FI")
    work_email = factory.LazyAttribute(
        lambda o: (
            f"{ascii_slug(o.contact.first_name)}.{ascii_slug(o.contact.last_name)}"
            f"@{ascii_slug(o.organisation.name.split()[0]) or 'org'}.example"
        )
    )
    work_phone = factory.LazyFunction(finnish_mobile)
