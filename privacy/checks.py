"""System checks that keep the personal-data declarations complete and true.

privacy.E001  a field of a declared app's model is not declared
privacy.E002  a declaration names a field the model does not have
privacy.E003  a model holds personal data but its subject path does not lead to the person
privacy.E004  an erasure replacement value cannot be stored in its field
privacy.E005  a model mixes "delete the row" with "replace" or "keep" for the same person
privacy.E006  a subject_link() field is not where the subject path starts
privacy.E007  a relation to the person is neither the subject path nor declared as it
privacy.E008  a declaration is registered for a model that no check covers
privacy.E009  a model belongs to a person but declares no personal field (nothing says what
              access shows or what erasure does)
"""

from django.apps import apps as global_apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from .declarations import (
    SUBJECT_MODEL,
    DeclarationRegistry,
    ErasureAction,
    SubjectLink,
)
from .declarations import (
    registry as global_registry,
)


def declarable_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a declaration must cover: stored columns and many-to-many relations.

    An automatically created primary key says nothing about anyone and is left out; reverse
    relations are declared on the model that holds the foreign key.
    """
    return [
        f
        # Inherited fields are declared once, on the model that defines them.
        for f in model._meta.get_fields(include_parents=False)
        if (f.concrete or f.many_to_many) and not f.auto_created
    ]


def resolve_subject_path(model: type[models.Model], path: str) -> type[models.Model] | None:
    """Follow a lookup path of forward relations; None when a step is not a relation."""
    current = model
    for step in path.split("__"):
        try:
            f = current._meta.get_field(step)
        except FieldDoesNotExist:
            return None
        if not f.is_relation or f.related_model is None or f.auto_created:
            return None
        current = f.related_model
    return current


def check_declarations(
    *,
    apps=global_apps,
    registry: DeclarationRegistry = global_registry,
    app_labels: list[str] | None = None,
) -> list[checks.CheckMessage]:
    if app_labels is None:
        app_labels = settings.PRIVACY_DECLARED_APPS
    try:
        subject_model = apps.get_model(SUBJECT_MODEL)
    except LookupError:
        # A registry of test or historical models may refer to the real person model.
        try:
            subject_model = global_apps.get_model(SUBJECT_MODEL)
        except LookupError:
            subject_model = None
    errors: list[checks.CheckMessage] = []
    checked: set[str] = set()

    for label in app_labels:
        try:
            app_config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in app_config.get_models():
            if model._meta.abstract or model._meta.proxy:
                continue
            checked.add(model._meta.label)
            declaration = registry.get(model)
            declared = dict(declaration.fields) if declaration else {}
            existing = {f.name: f for f in declarable_fields(model)}

            for name in sorted(existing.keys() - declared.keys()):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{name} is not declared in "
                        f"{app_config.name}/personal_data.py.",
                        hint="Declare it with personal(...), subject_link() or not_personal().",
                        obj=model,
                        id="privacy.E001",
                    )
                )
            for name in sorted(declared.keys() - existing.keys()):
                errors.append(
                    checks.Error(
                        f"{model._meta.label} declares '{name}', which is not one of its fields.",
                        hint="Remove the declaration or correct the field name.",
                        obj=model,
                        id="privacy.E002",
                    )
                )
            if declaration is None:
                continue
            errors.extend(_check_subject(model, declaration, subject_model))
            errors.extend(_check_links_to_person(model, declaration, subject_model, existing))
            errors.extend(_check_erasure(model, declaration, existing))

    for declaration in registry:
        if declaration.model_label not in checked:
            errors.append(
                checks.Error(
                    f"{declaration.model_label} is declared, but it is not a concrete model of "
                    f"{', '.join(app_labels)}, so nothing checks its declaration.",
                    id="privacy.E008",
                )
            )
    return errors


def _check_links_to_person(model, declaration, subject_model, existing):
    """Data about a person must be reachable from the person, or access and erasure miss it."""
    if subject_model is None:
        return []
    first_step = (declaration.subject or "").split("__")[0]
    errors = []
    for name, f in existing.items():
        if f.is_relation and f.related_model is subject_model and name != first_step:
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{name} points to {SUBJECT_MODEL}, but the subject path "
                    f"is {declaration.subject!r}: access requests and erasure would not find this "
                    "row from that person.",
                    hint="Make it the subject path with subject_link(), or model the second "
                    "person's part as a row of its own.",
                    obj=model,
                    id="privacy.E007",
                )
            )
    if declaration.subject is not None and not declaration.personal_fields():
        errors.append(
            checks.Error(
                f"{model._meta.label} belongs to a person but declares no personal field, so "
                "nothing says what an access request shows or what erasure does to it.",
                hint="Declare at least one field personal(...), e.g. when the row was created.",
                obj=model,
                id="privacy.E009",
            )
        )
    return errors


def _check_subject(model, declaration, subject_model) -> list[checks.CheckMessage]:
    holds_personal = bool(declaration.personal_fields()) or any(
        isinstance(d, SubjectLink) for d in declaration.fields.values()
    )
    if not holds_personal:
        return []
    path = declaration.subject
    if path == "":
        reaches = model is subject_model
    elif path:
        reaches = subject_model is not None and resolve_subject_path(model, path) is subject_model
    else:
        reaches = False
    errors = []
    if not reaches:
        errors.append(
            checks.Error(
                f"{model._meta.label} holds personal data, but its subject path {path!r} does not "
                f"lead to {SUBJECT_MODEL}.",
                hint="Give declare(subject=...) the lookup path from this model to the person.",
                obj=model,
                id="privacy.E003",
            )
        )
    first_step = (path or "").split("__")[0]
    for name, d in declaration.fields.items():
        if isinstance(d, SubjectLink) and name != first_step:
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{name} is a subject_link(), but the subject path "
                    f"{path!r} does not start there.",
                    obj=model,
                    id="privacy.E006",
                )
            )
    return errors


def _check_erasure(model, declaration, existing) -> list[checks.CheckMessage]:
    errors = []
    personal = declaration.personal_fields()
    actions = {d.erasure.action for d in personal.values()}
    if ErasureAction.DELETE_ROW in actions and len(actions) > 1:
        errors.append(
            checks.Error(
                f"{model._meta.label} deletes the row for some fields and keeps or replaces "
                "others; a row is either deleted or kept.",
                obj=model,
                id="privacy.E005",
            )
        )
    for name, d in personal.items():
        f = existing.get(name)
        if f is None or d.erasure.action is not ErasureAction.REPLACE:
            continue
        problem = _unstorable(f, d.erasure.value)
        if problem:
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{name}: erasure would store {d.erasure.value!r}, "
                    f"which the field refuses ({problem}).",
                    obj=model,
                    id="privacy.E004",
                )
            )
    return errors


def _unstorable(f: models.Field, value: object) -> str:
    if value is None:
        return "" if f.null else "the column is NOT NULL"
    if f.is_relation:
        return "a relation can only be replaced with None"
    if (
        f.choices
        and value not in {c for c, _label in f.flatchoices}
        and not (value == "" and f.blank)
    ):
        return "not one of the field's choices, so the erased row would fail validation"
    if f.unique and value != "":
        return "the column is unique, so a second erasure would collide"
    for constraint in f.model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and f.name in (constraint.fields or ())
            and constraint.condition is None
        ):
            return f"unique together ({constraint.name}), so a second erasure could collide"
    try:
        # run_validators rather than clean: choices and blank are about forms, not storage.
        f.run_validators(f.to_python(value))
    except ValidationError as e:
        return "; ".join(str(m) for m in e.messages)
    return ""


@checks.register(checks.Tags.models)
def personal_data_declarations(app_configs=None, **kwargs):
    return check_declarations()
