"""Reads across the register, driven by the personal-data declarations."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import F, Lookup, Q
from django.db.models.expressions import RawSQL

from .declarations import (
    SUBJECT_MODEL,
    AboutRows,
    Category,
    MergeRule,
    ModelDeclaration,
    PersonalCopy,
    PersonalField,
    field_label,
    registry,
)

#: auditlog's action number for a deletion (LogEntry.Action.DELETE), whose entry keeps the
#: deleted row's last values: how an entry about a row that is gone still finds its person.
_DELETE_ACTION = 2


@dataclass(frozen=True)
class HeldValue:
    field: str
    label: str
    declaration: PersonalField | PersonalCopy
    value: object
    #: What the value holds: the field's category, or for a copy those of the copied fields.
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True)
class HeldRecord:
    """One row that holds data about the person, with only its declared personal values."""

    model_label: str
    model_name: str
    pk: object
    values: tuple[HeldValue, ...]


#: Above this many ids, PostgreSQL gets them as ONE array parameter (``IN (SELECT unnest(…))``)
#: instead of one parameter each: a batch erasure repeats the people's ids in every subquery of
#: the audit trail's condition, and binding thousands of parameters costs more than the query.
_ARRAY_ABOVE = 50


def id_set(ids, *, as_text: bool = False, as_json: bool = False):
    """``ids`` for an ``__in`` lookup: the list itself, or on PostgreSQL for many ids one array
    parameter (as text, or as JSON strings for a lookup inside a JSON column)."""
    ids = list(ids)
    if connection.vendor != "postgresql" or len(ids) <= _ARRAY_ABOVE:
        return ids
    # The array goes as one text literal ('{1,2,3}'), built here from integers, so it needs no
    # quoting: psycopg's client-side binding would quote a Python list item by item, which took
    # a third of a batch erasure's time.
    try:
        literal = "{" + ",".join(str(int(i)) for i in ids) + "}"
    except (TypeError, ValueError):  # not all integers (a text key): quoted item by item
        literal = [str(i) for i in ids]
    if as_json:
        return RawSQL("SELECT to_jsonb(x) FROM unnest(%s::text[]) AS x", (literal,))
    if as_text:
        return RawSQL("SELECT unnest(%s::text[])", (literal,))
    return RawSQL("SELECT unnest(%s::bigint[])", (literal,))


class _AnyOfArray(Lookup):
    """``column = ANY(ARRAY(subquery))`` (PostgreSQL): the subquery runs once and its array is
    an index condition. The audit trail's condition is an OR of one such test per kind of row;
    written as ``IN (subquery)`` each is a hashed subplan PostgreSQL can only apply as a filter,
    so every erasure read the whole audit trail (a sequential scan that grows with the trail),
    where this form is a bitmap OR of index scans."""

    lookup_name = "any_of_array"  # used directly, never registered

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if rhs.startswith("(") and rhs.endswith(")"):
            rhs = rhs[1:-1]
        return f"{lhs} = ANY(ARRAY({rhs}))", (*lhs_params, *rhs_params)


def _in(column: str, values) -> Q:
    """``column__in=values`` (a queryset, or ``id_set``'s answer), written as an index condition
    on PostgreSQL (``_AnyOfArray``)."""
    if connection.vendor != "postgresql" or isinstance(values, list):
        return Q(**{f"{column}__in": values})
    if isinstance(values, RawSQL):
        return Q(_AnyOfArray(F(column), values))
    query = values.query.clone()
    query.clear_ordering(force=True)  # as ``__in`` does: a set needs no order
    return Q(_AnyOfArray(F(column), query))


def people_ids(contact_ids) -> list[int]:
    """``subject_ids`` for many people at once (one query): their ids and their merged ids."""
    ids = list(contact_ids)
    tombstone = registry.tombstone()
    if tombstone is not None and ids:
        declaration, name = tombstone
        ids += declaration.model._default_manager.filter(
            **{f"{declaration.subject}__in": ids}
        ).values_list(name, flat=True)
    return ids


def subject_ids(contact) -> list[int]:
    """The person's id and the ids of the duplicates merged into them (from the merge
    tombstone): rows kept under a merged duplicate's id are the person's too."""
    ids = [contact.pk]
    tombstone = registry.tombstone()
    if tombstone is not None:
        declaration, name = tombstone
        ids += declaration.model._default_manager.filter(
            **{declaration.subject: contact}
        ).values_list(name, flat=True)
    return ids


def subject_rows(declaration: ModelDeclaration, contact, ids=None) -> models.QuerySet:
    """The rows of a declared model that belong to the person (not for about_rows models); with
    ``contact`` None, the rows of all the people whose ids (merged ones included) are ``ids``."""
    manager = declaration.model._base_manager
    if contact is None:
        # Many people at once (a batch erasure): ``ids`` are theirs and their merged ids.
        if declaration.subject == "":
            return manager.filter(pk__in=id_set(ids))
        if declaration.merge in (MergeRule.APPEND, MergeRule.KEEP):
            attname = declaration.model._meta.get_field(declaration.link).attname
            return manager.filter(**{f"{attname}__in": id_set(ids)})
        return manager.filter(**{f"{declaration.subject}__in": id_set(ids)})
    if declaration.subject == "":
        return manager.filter(pk=contact.pk)
    if declaration.merge in (MergeRule.APPEND, MergeRule.KEEP):
        # Rows kept under a merged duplicate's id (its row is gone, so no join can reach it).
        attname = declaration.model._meta.get_field(declaration.link).attname
        return manager.filter(**{f"{attname}__in": subject_ids(contact) if ids is None else ids})
    return manager.filter(**{declaration.subject: contact})


def _row_declarations():
    return [d for d in registry if isinstance(d.subject, str)]


def naming_links(audit_model) -> list[tuple[ModelDeclaration, str]]:
    """The declared rows that name a person in a row of ``audit_model`` (the people one shared
    access entry showed), as (declaration, the attname of their link to that row)."""
    found = []
    for declaration in _row_declarations():
        if not declaration.links_the_person_directly:
            continue
        for f in declaration.model._meta.concrete_fields:
            if f.is_relation and f.related_model is audit_model:
                found.append((declaration, f.attname))
    return found


def about_rows_condition(about: AboutRows, contact, ids=None) -> Q:
    """Which rows of an about_rows model (the audit trail) are about the person: those about
    the person's row or a merged duplicate's, about a row that belongs to them now, about one
    that belonged to them when it was deleted (its deletion entry names the person), or that
    name them among several people shown (``naming_links``: a list page's one access entry).

    Rows of other models are matched with subqueries, so the whole answer is one query however
    much the person has; only a row reached through another row (``registration__contact``)
    needs its parents' ids first.
    """
    ids = subject_ids(contact) if ids is None else ids
    audit_model = next(d.model for d in registry if d.subject is about)
    naming = naming_links(audit_model)
    # The rows naming people in entries are the audit trail's own bookkeeping, never audited
    # themselves: no entry is about one of them.
    bookkeeping = {declaration.model for declaration, _ in naming}
    declarations = [d for d in _row_declarations() if d.model not in bookkeeping]
    types = ContentType.objects.get_for_models(*(d.model for d in declarations))
    ct, oid = about.content_type, about.object_id
    changes = "changes"  # auditlog's before/after map, where a deletion keeps the last values
    ever: dict[str, list[str]] = {SUBJECT_MODEL: [str(i) for i in ids]}

    def deleted(declaration, parent_ids):
        return (
            audit_model._base_manager.filter(
                **{
                    ct: types[declaration.model],
                    "action": _DELETE_ACTION,
                    f"{changes}__{declaration.link}__0__in": id_set(parent_ids, as_json=True),
                }
            )
            .exclude(**{f"{oid}__isnull": True})
            .values(oid)
        )

    # Models that other models hang off (a registration's answers): their rows' ids are needed
    # to recognise the deletion entries of their children.
    parents = {
        d.model._meta.get_field(d.link).related_model._meta.label
        for d in declarations
        if "__" in d.subject
    }
    condition = Q()
    # Shorter paths first, so that a row's parents' ids are known when the row is reached.
    for declaration in sorted(declarations, key=lambda d: d.subject.count("__")):
        model = declaration.model
        if declaration.subject == "":
            condition |= Q(**{ct: types[model]}) & _in(oid, id_set(ids))
            continue
        parent = model._meta.get_field(declaration.link).related_model._meta.label
        parent_ids = ever.get(parent)
        if parent_ids is None:
            continue  # a path through a model that belongs to nobody: not a person's row
        current = subject_rows(declaration, contact, ids).values("pk")
        condition |= Q(**{ct: types[model]}) & (
            _in(oid, current) | _in(oid, deleted(declaration, parent_ids))
        )
        if model._meta.label in parents:
            ever[model._meta.label] = [
                str(pk)
                for pk in {*current.values_list("pk", flat=True)}
                | {*deleted(declaration, parent_ids).values_list(oid, flat=True)}
            ]
    for declaration, entry in naming:
        condition |= _in("pk", subject_rows(declaration, contact, ids).values(entry))
    return condition


def about_rows_query(declaration: ModelDeclaration, contact, ids=None) -> models.QuerySet:
    condition = about_rows_condition(declaration.subject, contact, ids)
    return declaration.model._base_manager.filter(condition)


def audit_entries_about(contact) -> models.QuerySet:
    """The audit entries about the person, their rows and their merged duplicates."""
    declaration = next(d for d in registry if isinstance(d.subject, AboutRows))
    return about_rows_query(declaration, contact)


def _records_query(declaration: ModelDeclaration, contact, ids) -> models.QuerySet:
    model = declaration.model
    held = declaration.held_fields()
    if declaration.about_rows:
        return about_rows_query(declaration, contact, ids).order_by("pk")
    qs = subject_rows(declaration, contact, ids)
    relations = [
        n
        for n in held
        if model._meta.get_field(n).is_relation and not model._meta.get_field(n).many_to_many
    ]
    # A path through a many-to-many step could repeat a row.
    qs = qs.order_by("pk").distinct()
    if relations:
        # Never select_related() without names: it would follow (and INNER JOIN) every
        # relation, dropping rows kept under a merged duplicate's id, whose row is gone. A
        # related row is shown by its name, and a name may read that row's own relations (a
        # registration is "event – person"): those are joined too, so that naming a row costs
        # no query of its own.
        qs = qs.select_related(*relations, *_naming_relations(model, relations))
    return qs


def _naming_relations(model, relations) -> list[str]:
    paths = []
    for name in relations:
        related = model._meta.get_field(name).related_model
        paths += [
            f"{name}__{f.name}"
            for f in related._meta.concrete_fields
            if f.is_relation and f.many_to_one
        ]
    return paths


def _many_values(model, name, rows: models.QuerySet, chunk_size: int):
    """(owner pk, [names]) of a many-to-many field for all ``rows``, in owner order: one query
    however many rows, read alongside the rows (both ordered by the owner's pk)."""
    field = model._meta.get_field(name)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    links = (
        through._base_manager.filter(**{f"{source}__in": rows.values("pk")})
        .select_related(target)
        .order_by(f"{source}_id", "pk")
        .iterator(chunk_size=chunk_size)
    )
    owner, names = None, []
    for link in links:
        pk = getattr(link, f"{source}_id")
        if pk != owner and owner is not None:
            yield owner, names
            names = []
        owner = pk
        names.append(str(getattr(link, target)))
    if owner is not None:
        yield owner, names


class _Merged:
    """The values of a many-to-many field for rows read in pk order, taken as the rows pass."""

    def __init__(self, pairs):
        self._pairs = iter(pairs)
        self._next = None
        self._started = False

    def take(self, pk) -> list[str]:
        if not self._started:  # no query for a model the person has no rows in
            self._started = True
            self._next = next(self._pairs, None)
        while self._next is not None and self._next[0] < pk:
            self._next = next(self._pairs, None)
        if self._next is not None and self._next[0] == pk:
            names = self._next[1]
            self._next = next(self._pairs, None)
            return names
        return []


def _display(instance: models.Model, field: models.Field) -> object:
    if field.many_to_many:
        return [str(o) for o in getattr(instance, field.name).all()]
    value = getattr(instance, field.name)
    if field.is_relation:
        return None if value is None else str(value)
    if field.choices and value not in (None, ""):
        return getattr(instance, f"get_{field.name}_display")()
    return value


def _categories(declaration: ModelDeclaration, instance, d) -> tuple[Category, ...]:
    if isinstance(d, PersonalField):
        return (d.category,)
    about = None
    if declaration.about_rows:
        type_id = getattr(instance, f"{declaration.subject.content_type}_id")
        about = ContentType.objects.get_for_id(type_id).model_class()
    copied = registry.copied_fields(d, about._meta.label if about else None)
    value = getattr(instance, _field_of(declaration, d))
    keys = value.keys() if isinstance(value, dict) else ()
    return tuple(sorted({copied[k].category for k in keys if k in copied}))


def _field_of(declaration: ModelDeclaration, d) -> str:
    return next(n for n, x in declaration.fields.items() if x is d)


def held_records(
    declaration: ModelDeclaration, contact, ids=None, *, chunk_size: int = 1000
) -> Iterator[HeldRecord]:
    """The person's rows of one declared model with their held values, read in chunks: memory
    does not grow with the number of rows, and the queries are one for the rows and one per
    many-to-many field, however many rows there are."""
    ids = subject_ids(contact) if ids is None else ids
    model = declaration.model
    fields = declaration.held_fields()
    rows = _records_query(declaration, contact, ids)
    many = {
        name: _Merged(_many_values(model, name, rows, chunk_size))
        for name in fields
        if model._meta.get_field(name).many_to_many
    }
    # Per field once, not per row: the model field, its label (a translation) and, for a plain
    # personal field, its category.
    columns = [
        (
            name,
            d,
            model._meta.get_field(name),
            field_label(model, name),
            (d.category,) if isinstance(d, PersonalField) else None,
        )
        for name, d in fields.items()
    ]
    for instance in rows.iterator(chunk_size=chunk_size):
        values = []
        for name, d, field, label, categories in columns:
            value = many[name].take(instance.pk) if name in many else _display(instance, field)
            values.append(
                HeldValue(
                    field=name,
                    label=label,
                    declaration=d,
                    value=value,
                    categories=categories or _categories(declaration, instance, d),
                )
            )
        yield HeldRecord(
            model_label=declaration.model_label,
            model_name=str(model._meta.verbose_name),
            pk=instance.pk,
            values=tuple(values),
        )


def subject_declarations() -> list[ModelDeclaration]:
    """The declarations of models whose rows belong to people, the person's own model first."""
    return [
        d
        for d in sorted(registry, key=lambda d: (d.subject != "", d.model_label))
        if d.subject is not None
    ]


def personal_data_for_contact(contact) -> list[HeldRecord]:
    """Everything the register holds about one person, found by walking the declarations.

    The answer to an access request, the content of a data export and the rows an erasure must
    touch all start here: the person's rows, rows kept under a merged duplicate's id, and the
    audit entries about any of them. It makes one query per declared model that holds personal
    data (plus one per many-to-many field and one for the merged ids), however much the person
    has. The export reads the same rows model by model with ``held_records``, which streams.
    """
    if contact._meta.label != SUBJECT_MODEL:
        raise TypeError(f"Expected a {SUBJECT_MODEL}, got {contact._meta.label}.")
    ids = subject_ids(contact)
    held: list[HeldRecord] = []
    for declaration in subject_declarations():
        held.extend(held_records(declaration, contact, ids))
    return held
