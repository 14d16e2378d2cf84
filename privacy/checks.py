"""System checks that keep the personal-data declarations complete and true.

privacy.E001  a field of a declared model is not declared
privacy.E002  a declaration names a field the model does not have
privacy.E003  a model holds personal data but its subject does not lead to the person
privacy.E004  an erasure replacement value cannot be stored in its field
privacy.E005  a model whose rows erasure deletes also says what replaces or keeps a field
privacy.E006  a subject_link() field is not where the subject path starts
privacy.E007  a relation to the person is neither the subject path nor declared as it
privacy.E008  a declaration is registered for a model that no check covers
privacy.E009  a model belongs to a person but declares no personal field (nothing says what
              access shows or what erasure does)
privacy.E010  a model belongs to a person but has no row erasure rule, or its rows survive
              erasure and a personal field says neither what replaces it nor why it is kept
privacy.E011  a model links to the person but has no merge rule (or is not declared at all)
privacy.E012  a merge rule the model's link cannot honour (APPEND or KEEP rows that the
              duplicate's removal would delete or rewrite)
privacy.E013  a personal_copy() that names an undeclared model, is not a JSON field, or a
              redact_values() erasure on a field that is not a copy
privacy.E014  about_rows() names fields that are not a content type, an id and a JSON mark
privacy.E015  settings.PRIVACY_DECLARED_MODELS names a model that does not exist
privacy.E016  a field's retention runs from the end of an event, but the shredder could not
              carry it out: the model reaches no event (or more than one way), the event has
              no field holding the days kept, or an anonymised row's value has no replacement
              or its link to the person cannot be cleared
privacy.E017  a legal hold counts from (``counted_from``) a field that is not a date of the model
              (the erasure preview would fail for every person with such a row)
privacy.W001  a category of personal data some field holds is covered by no register description
privacy.W002  a register description claims a category of personal data that no field holds
"""

from django.apps import apps as global_apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from .declarations import (
    EVENT_MODEL,
    SUBJECT_MODEL,
    AboutRows,
    DeclarationRegistry,
    ErasureAction,
    MergeRule,
    PersonalCopy,
    RowErasure,
    SubjectLink,
    event_paths,
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


def _models_to_check(apps, app_labels, model_labels):
    """(model, where its declaration lives) for every model the declarations must cover."""
    errors = []
    found = []
    for label in app_labels:
        try:
            app_config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in app_config.get_models():
            if not (model._meta.abstract or model._meta.proxy):
                found.append((model, f"{app_config.name}/personal_data.py"))
    for label in model_labels:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            errors.append(
                checks.Error(
                    f"PRIVACY_DECLARED_MODELS names {label!r}, which is not an installed model.",
                    id="privacy.E015",
                )
            )
            continue
        found.append((model, "the personal_data.py of the app that owns it"))
    return found, errors


def check_declarations(
    *,
    apps=global_apps,
    registry: DeclarationRegistry = global_registry,
    app_labels: list[str] | None = None,
    model_labels: list[str] | None = None,
) -> list[checks.CheckMessage]:
    if model_labels is None:
        # A check of chosen apps (a test's isolated models) checks those apps only.
        model_labels = settings.PRIVACY_DECLARED_MODELS if app_labels is None else []
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
    to_check, errors = _models_to_check(apps, app_labels, model_labels)
    checked: set[str] = set()

    for model, where in to_check:
        checked.add(model._meta.label)
        declaration = registry.get(model)
        declared = dict(declaration.fields) if declaration else {}
        existing = {f.name: f for f in declarable_fields(model)}

        for name in sorted(existing.keys() - declared.keys()):
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{name} is not declared in {where}.",
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
        errors.extend(_check_merge(model, declaration, subject_model))
        errors.extend(_check_copies(model, declaration, existing, registry))
        errors.extend(_check_per_event(model, declaration))

    for declaration in registry:
        if declaration.model_label not in checked:
            errors.append(
                checks.Error(
                    f"{declaration.model_label} is declared, but it is not a concrete model of "
                    f"{', '.join(app_labels)} nor in PRIVACY_DECLARED_MODELS, so nothing checks "
                    "its declaration.",
                    id="privacy.E008",
                )
            )
    errors.extend(_check_undeclared_links(subject_model, registry, apps))
    return errors


def _check_undeclared_links(subject_model, registry, apps):
    """A model anywhere in the project that points at the person must be declared: otherwise a
    merge would silently delete its rows with the duplicate, and erasure would miss them."""
    if subject_model is None or apps is not global_apps:
        return []
    errors = []
    for relation in subject_model._meta.related_objects:
        related = relation.related_model
        if related._meta.abstract or related._meta.proxy or registry.get(related):
            continue
        errors.append(
            checks.Error(
                f"{related._meta.label}.{relation.field.name} points to {SUBJECT_MODEL}, but "
                f"{related._meta.label} is not declared: a merge would not know whether its rows "
                "move, and erasure would not find them.",
                hint="Declare the model (with a merge rule) in its app's personal_data.py.",
                obj=related,
                id="privacy.E011",
            )
        )
    return errors


def _check_links_to_person(model, declaration, subject_model, existing):
    """Data about a person must be reachable from the person, or access and erasure miss it."""
    if subject_model is None:
        return []
    first_step = declaration.link or ""
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
    if declaration.subject is not None and not declaration.held_fields():
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
    if isinstance(declaration.subject, AboutRows):
        return _check_about_rows(model, declaration.subject)
    holds_personal = bool(declaration.held_fields()) or any(
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
    first_step = declaration.link or ""
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


def _check_about_rows(model, about: AboutRows) -> list[checks.CheckMessage]:
    def field(name):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            return None

    content_type, object_id = field(about.content_type), field(about.object_id)
    mark = field(about.mark) if about.mark else None
    problems = []
    if (
        content_type is None
        or content_type.related_model is None
        or (content_type.related_model._meta.label != "contenttypes.ContentType")
    ):
        problems.append(f"{about.content_type!r} is not a relation to a content type")
    if not isinstance(object_id, models.IntegerField):
        problems.append(f"{about.object_id!r} is not an integer id field")
    if about.mark and not isinstance(mark, models.JSONField):
        problems.append(f"{about.mark!r} is not a JSON field to mark redacted rows in")
    return [
        checks.Error(f"{model._meta.label}: about_rows() {problem}.", obj=model, id="privacy.E014")
        for problem in problems
    ]


def _check_erasure(model, declaration, existing) -> list[checks.CheckMessage]:
    errors = []
    held = declaration.held_fields()
    if declaration.subject is None:
        return errors
    if declaration.erase is None:
        return [
            checks.Error(
                f"{model._meta.label} belongs to a person but does not say what erasing them does "
                "to its rows.",
                hint="declare(..., erase=RowErasure.DELETE or RowErasure.ANONYMISE).",
                obj=model,
                id="privacy.E010",
            )
        ]
    if declaration.erase is RowErasure.DELETE:
        ruled = sorted(n for n, d in held.items() if d.erasure is not None)
        if ruled:
            errors.append(
                checks.Error(
                    f"{model._meta.label} deletes its rows on erasure, yet {', '.join(ruled)} "
                    "say what replaces or keeps the value; a row is either deleted or kept.",
                    hint="Drop the field rules, or make the model RowErasure.ANONYMISE.",
                    obj=model,
                    id="privacy.E005",
                )
            )
        return errors
    if declaration.erase is RowErasure.REDACT and not (
        isinstance(declaration.subject, AboutRows) and declaration.subject.mark
    ):
        errors.append(
            checks.Error(
                f"{model._meta.label} is redacted on erasure but names no field to mark "
                "redacted rows in.",
                hint="about_rows(..., mark='a JSON field').",
                obj=model,
                id="privacy.E010",
            )
        )
    for name in sorted(n for n, d in held.items() if d.erasure is None):
        errors.append(
            checks.Error(
                f"{model._meta.label}'s rows survive erasure, but {name} says neither what "
                "replaces its value nor under which legal hold it is kept.",
                hint="erasure=Erasure.replace(value) or Erasure.keep(law=..., period_days=...).",
                obj=model,
                id="privacy.E010",
            )
        )
    for name, d in held.items():
        start = d.erasure.counted_from if d.erasure is not None else ""
        if start and not isinstance(existing.get(start), models.DateField):
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{name}: the legal hold counts from {start!r}, which "
                    "is not a date field of the model.",
                    hint="counted_from='<a DateField or DateTimeField of this model>'.",
                    obj=model,
                    id="privacy.E017",
                )
            )
    for name, d in held.items():
        f = existing.get(name)
        if f is None or d.erasure is None or d.erasure.action is not ErasureAction.REPLACE:
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


def _check_merge(model, declaration, subject_model) -> list[checks.CheckMessage]:
    if declaration.subject is None or declaration.subject == "":
        return []  # belongs to nobody, or is the person (the merge keeps a tombstone of it)
    if declaration.merge is None:
        return [
            checks.Error(
                f"{model._meta.label} belongs to a person but does not say how its rows follow "
                "when that person is merged into another.",
                hint="declare(..., merge=MergeRule.MOVE, APPEND or KEEP).",
                obj=model,
                id="privacy.E011",
            )
        ]
    problems = []
    if declaration.merge_append is not None and declaration.merge is not MergeRule.APPEND:
        problems.append("merge_append is only for MergeRule.APPEND")
    if declaration.about_rows:
        if declaration.merge is not MergeRule.KEEP:
            problems.append("rows about other rows stay where they are: use MergeRule.KEEP")
    elif declaration.merge in (MergeRule.APPEND, MergeRule.KEEP):
        if not declaration.links_the_person_directly:
            problems.append(
                f"{declaration.merge.name} needs a direct link to the person (the subject path "
                f"is {declaration.subject!r}); rows of a row that moves follow it with MOVE"
            )
        else:
            link = model._meta.get_field(declaration.link)
            if link.remote_field.on_delete is not models.DO_NOTHING or link.db_constraint:
                problems.append(
                    f"{declaration.merge.name} keeps the duplicate's rows, but removing the "
                    f"duplicate would delete or rewrite them through {declaration.link} "
                    "(it needs on_delete=DO_NOTHING and db_constraint=False)"
                )
    return [
        checks.Error(f"{model._meta.label}: {problem}.", obj=model, id="privacy.E012")
        for problem in problems
    ]


def _check_copies(model, declaration, existing, registry) -> list[checks.CheckMessage]:
    errors = []
    for name, d in declaration.fields.items():
        f = existing.get(name)
        if isinstance(d, PersonalCopy):
            if f is not None and not isinstance(f, models.JSONField):
                errors.append(f"{name} is declared personal_copy() but is not a JSON field")
            if d.of is not None and registry.get(d.of) is None:
                errors.append(f"{name} copies {d.of}, which is not declared")
            if d.of is None and not declaration.about_rows:
                errors.append(
                    f"{name} copies 'the row this row is about', but the model is not about_rows()"
                )
        elif (
            getattr(d, "erasure", None) is not None
            and d.erasure.action is ErasureAction.REDACT_VALUES
        ):
            errors.append(f"{name} is redact_values() but is not a personal_copy()")
    return [
        checks.Error(f"{model._meta.label}.{problem}.", obj=model, id="privacy.E013")
        for problem in errors
    ]


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


def _check_per_event(model, declaration) -> list[checks.CheckMessage]:
    """The event data shredder deletes a row whose per-event fields are all due when the model's
    rows are deleted on erasure (or nothing would be left to anonymise), and otherwise replaces
    each due value and clears the row's link to the person: each of those must be possible."""
    per_event = declaration.per_event_fields()
    if not per_event:
        return []

    def error(message: str, hint: str | None = None) -> checks.Error:
        return checks.Error(
            f"{model._meta.label}: {message}", hint=hint, obj=model, id="privacy.E016"
        )

    errors = []
    path = declaration.event_path
    if declaration.event is not None:
        try:
            event_model = _related_at(model, path) if path else model
        except (FieldDoesNotExist, AttributeError):
            event_model = None
        if event_model is None or event_model._meta.label != EVENT_MODEL:
            return [error(f"event={path!r} does not lead to {EVENT_MODEL}.")]
    elif path is None:
        found = ", ".join(event_paths(model)) or "none"
        return [
            error(
                f"{', '.join(sorted(per_event))} are kept per event, but the model reaches "
                f"{EVENT_MODEL} not exactly one shortest way (found: {found}).",
                hint="declare(..., event='the lookup path to the event').",
            )
        ]
    else:
        event_model = _related_at(model, path) if path else model
    for name, d in sorted(per_event.items()):
        days_field = d.retention.after_event
        if days_field and not any(f.name == days_field for f in event_model._meta.fields):
            errors.append(
                error(
                    f"{name}'s retention keeps it {EVENT_MODEL}.{days_field} days after the "
                    "event, and the event has no such field."
                )
            )
    if declaration.erase is RowErasure.DELETE or declaration.subject in (None, ""):
        return errors
    replaced = [
        n
        for n, d in per_event.items()
        if d.erasure is not None and d.erasure.action is ErasureAction.REPLACE
    ]
    if replaced and declaration.link:
        link = model._meta.get_field(declaration.link)
        if not link.null:
            errors.append(
                error(
                    f"the shredder anonymises its rows and clears {declaration.link}, which "
                    "cannot be null."
                )
            )
    return errors


def _related_at(model, path: str):
    for step in path.split("__"):
        model = model._meta.get_field(step).related_model
        if model is None:
            return None
    return model


@checks.register(checks.Tags.models)
def personal_data_declarations(app_configs=None, **kwargs):
    return check_declarations()


@checks.register("privacy")
def registers_cover_the_declarations(app_configs=None, databases=None, **kwargs):
    """The register descriptions and the declarations tell the same story (drift check).

    It reads the register descriptions from the database, so, like Django's own database
    checks, it runs when a database is named: ``manage.py check --database default`` and
    ``migrate`` (after which the DPO sees it); before the first migration (no table yet) there
    is nothing to compare and it says nothing.
    """
    from django.db import DatabaseError

    from .registers import drift

    if not databases:
        return []
    try:
        found = drift()
    except DatabaseError:
        return []
    warnings = [
        checks.Warning(
            f"Personal data of the category '{category.value}' is stored but no register "
            "description covers it.",
            hint="Add the category or its app to a register description (admin: Privacy → "
            "Register descriptions, or load_register).",
            id="privacy.W001",
        )
        for category in found.uncovered
    ]
    warnings += [
        checks.Warning(
            f"The register description '{name}' claims the category '{category.value}' but no "
            "declared field holds it.",
            hint="Remove the category from the register, or declare the field that holds it.",
            id="privacy.W002",
        )
        for name, category in found.unfounded
    ]
    return warnings
