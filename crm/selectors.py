"""Reads of crm data that are more than a filter."""

from __future__ import annotations

import hmac
import re

import phonenumbers
from django.db.models import Q, QuerySet
from stdnum.fi import ytunnus

from .models import ApiClient, Contact, ContactMerge, Membership, normalise_email

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+?\d{6,15}$")
NAME_MATCH_LIMIT = 5_000


def _as_phone(term: str) -> str | None:
    digits = re.sub(r"[\s\-()]", "", term)
    if not _PHONE.match(digits):
        return None
    try:
        number = phonenumbers.parse(digits, "FI")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_search(queryset: QuerySet[Contact], term: str) -> QuerySet[Contact]:
    """Find contacts the way staff type: an email, a phone number, a Y-tunnus, or names.

    An email, a phone number or a business ID is matched exactly against the person's own and
    their work details, each an index lookup, so a search costs the same at 1,000 contacts as at
    100,000. Anything else matches the beginning of a first or last name, word by word.
    """
    term = (term or "").strip()
    if not term:
        return queryset
    ids = None
    if _EMAIL.match(term):
        email = normalise_email(term)
        ids = {person.pk for person in contacts_by_email([email]).values()}
        ids |= {*Membership.objects.filter(work_email=email).values_list("contact_id", flat=True)}
    elif ytunnus.is_valid(term) and "-" in term:
        ids = {
            *Membership.objects.filter(organisation__business_id=ytunnus.format(term)).values_list(
                "contact_id", flat=True
            )
        }
    elif phone := _as_phone(term):
        ids = {*Contact.objects.filter(phone=phone).values_list("pk", flat=True)}
        ids |= {*Membership.objects.filter(work_phone=phone).values_list("contact_id", flat=True)}
    if ids is not None:
        return queryset.filter(pk__in=ids)
    condition = Q()
    for word in term.split():
        condition &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
    # Matching ids first, unordered, lets PostgreSQL use the name prefix indexes; ordering only
    # the matches keeps it from walking the whole register in name order. A prefix so short that
    # it matches thousands of people falls back to filtering the ordered list.
    matching = list(
        Contact.objects.filter(condition)
        .order_by()
        .values_list("pk", flat=True)[: NAME_MATCH_LIMIT + 1]
    )
    if len(matching) <= NAME_MATCH_LIMIT:
        return queryset.filter(pk__in=matching)
    return queryset.filter(condition)


def contacts_by_email(emails) -> dict[str, Contact]:
    """The people known by these (normalised) addresses: their own, or one a merged duplicate
    had. A merge found them to be one person, so a system that still sends the old address
    means the kept record, not a new person."""
    emails = [e for e in emails if e]
    found = {c.email: c for c in Contact.objects.filter(email__in=emails)}
    rest = [e for e in emails if e not in found]
    if rest:
        for merge in (
            ContactMerge.objects.filter(merged_email__in=rest)
            .select_related("survivor")
            .order_by("merged_at")
        ):
            found[merge.merged_email] = merge.survivor  # the latest merge decides
    return found


def api_client_by_token(token: str) -> ApiClient | None:
    """The active client this token belongs to, or None (compared in constant time)."""
    prefix, digest = ApiClient.token_parts(token)
    client = ApiClient.objects.select_related("user").filter(token_prefix=prefix).first()
    if client is None or not client.is_active:
        return None
    if not hmac.compare_digest(client.token_hash, digest):
        return None
    return client


def _folded(text: str) -> str:
    """'  Mäki-Kärkkäinen ' -> 'maki-karkkainen': systems without ä and ö write it so."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join(
        "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split()
    )


def contact_duplicates(contact: Contact, *, limit: int = 10) -> list[Contact]:
    """Other contacts that are probably the same person.

    The same email as someone's own and the other's work address, the same phone number, or the
    same name (ignoring case and ä/ö/å written without dots) in the same organisation. A fixed
    number of queries, each on an index or within one organisation's people.
    """
    ids: set[int] = set()
    emails = {contact.email} | {
        e for e in contact.memberships.values_list("work_email", flat=True) if e
    }
    emails.discard("")
    if emails:
        ids |= set(Contact.objects.filter(email__in=emails).values_list("pk", flat=True))
        ids |= set(
            Membership.objects.filter(work_email__in=emails).values_list("contact_id", flat=True)
        )
    if contact.phone:
        ids |= set(Contact.objects.filter(phone=contact.phone).values_list("pk", flat=True))
    name = (_folded(contact.first_name), _folded(contact.last_name))
    colleagues = (
        Membership.objects.filter(organisation__in=contact.memberships.values("organisation"))
        .exclude(contact=contact)
        .values_list("contact_id", "contact__first_name", "contact__last_name")
    )
    ids |= {pk for pk, first, last in colleagues if (_folded(first), _folded(last)) == name}
    ids.discard(contact.pk)
    return list(Contact.objects.filter(pk__in=ids).order_by("pk")[:limit])
