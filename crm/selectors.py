"""Reads of crm data that are more than a filter."""

from __future__ import annotations

import hmac
import re
import unicodedata

import phonenumbers
from django.db.models import CharField, Func, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.utils import timezone
from stdnum.fi import ytunnus

from .models import ApiClient, Contact, ContactMerge, Membership, Municipality, normalise_email

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_EMAIL_PART = re.compile(r"^[^@\s]*[.@][^\s]*$")  # "heli.aalto", "@example.com": no name has them
_PHONE = re.compile(r"^\+?\d{6,15}$")
NAME_VALUES_LIMIT = 1_000

# Letters that people and systems write without their marks ("Gronroos" for Grönroos): a name
# is matched in upper case with these as plain letters, both cases listed so that the result
# does not depend on the database's locale. Migration 0020 indexes exactly this expression
# (tests/crm/test_search.py checks that the two agree).
FOLD_FROM = "ÅÄÖÜÉÈÁÀÂÊÎÔÛËÏÇÑŠŽÕØÍÓÚÝåäöüéèáàâêîôûëïçñšžõøíóúý"
FOLD_TO = "AAOUEEAAAEIOUEICNSZOOIOUY" * 2
_FOLD_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)


def folded_word(word: str) -> str:
    """What a typed word is compared with: ``Folded`` of a name that begins with it."""
    return word.upper().translate(_FOLD_TABLE)


class Folded(Func):
    """A name in upper case with its accented letters as plain ones ("GRONROOS").

    On PostgreSQL the SQL is the expression of migration 0020's indexes, character for
    character, so that a prefix match reads the index. SQLite (laptops) has no translate() and
    its upper() knows only ASCII: there Python folds the name (``folded_word``).
    """

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"translate(UPPER({sql}::text), '{FOLD_FROM}', '{FOLD_TO}')", params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        connection.ensure_connection()
        connection.connection.create_function("rk_folded", 1, _folded_or_none, deterministic=True)
        return f"rk_folded({sql})", params


def _folded_or_none(value):
    return None if value is None else folded_word(value)


class EmailDomain(Func):
    """What follows the @ of an address (indexed by migration 0020 on PostgreSQL)."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"split_part({sql}::text, '@', 2)", params

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"SUBSTR({sql}, INSTR({sql}, '@') + 1)", params + params


def _name_begins(field: str, word: str) -> Q:
    return Q(StartsWith(Folded(field), folded_word(word)))


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
    a million; the person's own address also by its beginning ("heli.aalto", a term with a dot
    or an @ that no name has) or by its domain ("@example.com"). Anything else matches the
    beginning of a first or last name, word by word, with or without the marks of ä, ö, å and
    the like ("gronroos" finds Grönroos).
    """
    term = (term or "").strip()
    if not term:
        return queryset
    ids = None
    if term.startswith("@") and " " not in term:
        return queryset.filter(StartsWith(EmailDomain("email"), term[1:].lower()))
    if _EMAIL.match(term):
        email = normalise_email(term)
        ids = {person.pk for person in contacts_by_email([email]).values()}
        ids |= {*Membership.objects.filter(work_email=email).values_list("contact_id", flat=True)}
        return queryset.filter(Q(pk__in=ids) | Q(email__startswith=email))
    if _EMAIL_PART.match(term):
        return queryset.filter(email__startswith=term.lower())
    if ytunnus.is_valid(term) and "-" in term:
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
    return _name_search(queryset, term.split())


def _last_names_beginning(word: str) -> list[str] | None:
    """The distinct stored last names that begin with ``word`` in any case, or None if there are
    more than NAME_VALUES_LIMIT (a prefix of a letter or two).

    An index-only scan of the folded-name index that carries the name (migration 0020): it reads
    the few index pages of the matching names, never the rows.
    """
    values = list(
        Contact.objects.filter(_name_begins("last_name", word))
        .order_by()
        .values_list("last_name", flat=True)
        .distinct()[: NAME_VALUES_LIMIT + 1]
    )
    return None if len(values) > NAME_VALUES_LIMIT else values


def _name_search(queryset: QuerySet[Contact], words: list[str]) -> QuerySet[Contact]:
    """People whose first or last name begins with each word.

    The list is ordered by last name. Matching ``last_name__istartswith`` leaves PostgreSQL two
    bad plans at a million people: walk the whole list in name order looking for matches
    (seconds, when the matches are "Virtanen" near the end of the alphabet), or read every
    matching row from the table to sort and count them. Matching the exact stored last names
    instead (``last_name IN ('Lehtinen', 'Lehto', …)``) lets the list's name index hand over the
    first page in order and count from the index. First names are spread evenly through a list
    in last-name order, so a walk finds a page of them soon. A prefix so short that it names
    more than NAME_VALUES_LIMIT last names is matched as typed.
    """
    condition = Q()
    for word in words:
        last = _last_names_beginning(word)
        by_last = _name_begins("last_name", word) if last is None else Q(last_name__in=last)
        by_first = _name_begins("first_name", word)
        if len(words) == 1 and last is not None:
            # Counting "last name is one of these OR first name begins so" reads every matching
            # row (no index answers an OR); each part below is counted from an index alone.
            if not Contact.objects.filter(by_first).exists():
                return queryset.filter(by_last)
            return _CountedInParts.of(
                queryset.filter(by_last | by_first),
                add=[queryset.filter(by_last), queryset.filter(by_first)],
                subtract=[queryset.filter(by_last & by_first)],
            )
        condition &= by_last | by_first
    return queryset.filter(condition)


class _CountedInParts(QuerySet):
    """A query result counted as the sum and difference of the counts of cheaper queries.

    Anything that changes the rows afterwards (another filter, slicing, distinct) makes it
    count itself the ordinary way again; ordering and select_related do not change a count.
    """

    @classmethod
    def of(cls, result: QuerySet, *, add: list[QuerySet], subtract: list[QuerySet]):
        if type(result) is not QuerySet:  # a custom QuerySet keeps its own count
            return result
        counted = result._chain()
        counted.__class__ = cls
        counted._add, counted._subtract, counted._where = add, subtract, result.query.where
        return counted

    def _clone(self):
        clone = super()._clone()
        clone._add, clone._subtract, clone._where = self._add, self._subtract, self._where
        return clone

    def count(self) -> int:
        query = self.query
        unchanged = (
            self._result_cache is None
            and query.where == self._where
            and not query.is_sliced
            and not query.distinct
            and query.combinator is None
        )
        if not unchanged:
            return super().count()
        return sum(part.count() for part in self._add) - sum(
            part.count() for part in self._subtract
        )


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


def municipality_key(value: str) -> str:
    """A municipality's code or name as it is compared: "91" and "091" are Helsinki's code;
    "JYVÄSKYLÄ", "jyväskylä" and a Mac's decomposed "Jyva\u0308skyla\u0308" are one name."""
    key = " ".join(unicodedata.normalize("NFC", str(value)).casefold().split())
    return key.zfill(3) if key.isdigit() and len(key) < 3 else key


def municipalities_by_key() -> dict[str, Municipality]:
    """Every active municipality under its code and its Finnish and Swedish names
    (``municipality_key``): one query, for a caller that looks up many (an import)."""
    found: dict[str, Municipality] = {}
    for municipality in Municipality.objects.filter(active=True).order_by("code"):
        for value in (municipality.code, municipality.name_fi, municipality.name_sv):
            if value:
                found.setdefault(municipality_key(value), municipality)
    return found


def municipality_by_code_or_name(
    value: str, *, among: dict[str, Municipality] | None = None
) -> Municipality | None:
    """The active municipality a person or a system names: its official code ("179", "91") or
    its name in Finnish or Swedish ("Jyväskylä", "helsingfors"), whatever the case. None when
    there is no such municipality (or the value is not text one could be named by).

    The one rule for every door (the import, the API): ``among`` is ``municipalities_by_key()``
    when many values are looked up, else one query is made.
    """
    if not isinstance(value, str) or "\x00" in value or len(value) > 200:
        return None
    key = municipality_key(value)
    if not key:
        return None
    if among is not None:
        return among.get(key)
    if key.isdigit():
        return Municipality.objects.filter(active=True, code=key).first()
    # About 300 rows; the databases' case-insensitive matches do not agree on "Ä" and "ä".
    return municipalities_by_key().get(key)


def api_client_by_token(token: str) -> ApiClient | None:
    """The client this token belongs to if the token works now, or None: the client is active,
    so is its service user, and the token has not expired (compared in constant time)."""
    prefix, digest = ApiClient.token_parts(token)
    client = ApiClient.objects.select_related("user").filter(token_prefix=prefix).first()
    if client is None or not client.is_active or not client.user.is_active:
        return None
    if client.expires_at is not None and client.expires_at <= timezone.now():
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
