"""Reads across the register, driven by the personal-data declarations."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models

from .declarations import SUBJECT_MODEL, ModelDeclaration, PersonalField, registry


@dataclass(frozen=True)
class HeldValue:
    field: str
    label: str
    declaration: PersonalField
    value: object


@dataclass(frozen=True)
class HeldRecord:
    """One row that holds data about the person, with only its declared personal values."""

    model_label: str
    model_name: str
    pk: object
    values: tuple[HeldValue, ...]


def _records_query(declaration: ModelDeclaration, contact) -> models.QuerySet:
    model = apps.get_model(declaration.model_label)
    personal = declaration.personal_fields()
    if declaration.subject == "":
        qs = model._default_manager.filter(pk=contact.pk)
    else:
        qs = model._default_manager.filter(**{declaration.subject: contact})
    relations = [
        n
        for n in personal
        if model._meta.get_field(n).is_relation and not model._meta.get_field(n).many_to_many
    ]
    many = [n for n in personal if model._meta.get_field(n).many_to_many]
    # A path through a many-to-many step could repeat a row.
    qs = qs.select_related(*relations).order_by("pk").distinct()
    if many:
        qs = qs.prefetch_related(*many)
    return qs


def _display(instance: models.Model, field: models.Field) -> object:
    if field.many_to_many:
        return [str(o) for o in getattr(instance, field.name).all()]
    value = getattr(instance, field.name)
    if field.is_relation:
        return None if value is None else str(value)
    if field.choices and value not in (None, ""):
        return getattr(instance, f"get_{field.name}_display")()
    return value


def personal_data_for_contact(contact) -> list[HeldRecord]:
    """Everything the register holds about one person, found by walking the declarations.

    The answer to an access request, the content of a data export and the rows an erasure must
    touch all start here. It makes one query per declared model that holds personal data (plus
    one per many-to-many field), however much the person has.
    """
    if contact._meta.label != SUBJECT_MODEL:
        raise TypeError(f"Expected a {SUBJECT_MODEL}, got {contact._meta.label}.")
    held: list[HeldRecord] = []
    for declaration in sorted(registry, key=lambda d: (d.subject != "", d.model_label)):
        personal = declaration.personal_fields()
        if declaration.subject is None:
            continue
        model = apps.get_model(declaration.model_label)
        for instance in _records_query(declaration, contact):
            values = tuple(
                HeldValue(
                    field=name,
                    label=str(model._meta.get_field(name).verbose_name),
                    declaration=d,
                    value=_display(instance, model._meta.get_field(name)),
                )
                for name, d in personal.items()
            )
            held.append(
                HeldRecord(
                    model_label=declaration.model_label,
                    model_name=str(model._meta.verbose_name),
                    pk=instance.pk,
                    values=values,
                )
            )
    return held
