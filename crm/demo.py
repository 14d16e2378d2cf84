"""Demo data: a realistic Finnish register for `make run`, the benchmark and trying things out."""

from dataclasses import dataclass

import factory.random
from django.db import transaction
from factory.random import randgen

from . import bulk
from .factories import (
    LARGEST_MUNICIPALITIES,
    ContactFactory,
    MembershipFactory,
    OrganisationFactory,
    business_id_from_number,
)
from .models import Contact, Membership, Municipality, Organisation

DEMO_SEED = 2026
BATCH = 2_000
DEMO_SOURCE_DETAIL = "seed_demo"


@dataclass(frozen=True)
class SeedResult:
    organisations: int
    contacts: int
    memberships: int


def _demo_business_ids(count: int) -> list[str]:
    ids, number = [], 2_600_000
    while len(ids) < count:
        bid = business_id_from_number(number)
        if bid:
            ids.append(bid)
        number += 1
    return ids


@transaction.atomic
def demo_seed(*, contacts: int) -> SeedResult:
    """Make sure the register holds at least ``contacts`` demo people.

    Running it again creates only what is missing, so `make run` can call it every time. Demo
    people are marked with the source "demo data"; their addresses are in the example.* domains
    reserved by RFC 2606, so no message can reach a real person.
    """
    factory.random.reseed_random(DEMO_SEED)
    municipalities = list(Municipality.objects.filter(active=True).values_list("pk", "code"))
    large = [pk for pk, code in municipalities if code in LARGEST_MUNICIPALITIES]
    everywhere = [pk for pk, _ in municipalities]

    def pick_municipality():
        if not everywhere:
            return None
        pool = large if large and randgen.random() < 0.5 else everywhere
        return randgen.choice(pool)

    wanted_ids = _demo_business_ids(max(5, contacts // 25))
    have_ids = set(
        Organisation.objects.filter(business_id__in=wanted_ids).values_list(
            "business_id", flat=True
        )
    )
    new_orgs = [
        OrganisationFactory.build(business_id=bid, municipality_id=pick_municipality())
        for bid in wanted_ids
        if bid not in have_ids
    ]
    bulk.insert(Organisation, new_orgs, ids=True)
    organisations = list(Organisation.objects.filter(business_id__in=wanted_ids))

    existing = Contact.objects.filter(source=Contact.Source.DEMO).count()
    created_contacts = created_memberships = 0
    ContactFactory.reset_sequence(existing)
    for start in range(existing, contacts, BATCH):
        size = min(BATCH, contacts - start)
        people = ContactFactory.build_batch(
            size, source=Contact.Source.DEMO, source_detail=DEMO_SOURCE_DETAIL
        )
        for person in people:
            person.municipality_id = pick_municipality()
            person.email = person.email.lower()
        bulk.insert(Contact, people, ids=True)
        roles = [
            MembershipFactory.build(contact=person, organisation=randgen.choice(organisations))
            for person in people
            if randgen.random() < 0.6
        ]
        bulk.insert(Membership, roles)
        created_contacts += len(people)
        created_memberships += len(roles)
    return SeedResult(len(new_orgs), created_contacts, created_memberships)
