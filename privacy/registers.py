"""Register descriptions: what each register covers, read from the declarations, and the
description as a canonical document (YAML) with a fingerprint.

Nothing here lists fields: a register selects apps and categories, and the declared
personal-data fields of those apps and categories are what the register covers. The purposes
are ``privacy.policy``'s code objects, stored by code; their legal bases come with them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import yaml
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError

from . import policy
from .declarations import (
    Category,
    PersonalCopy,
    PersonalField,
    Purpose,
    RetentionRule,
    TransientPersonal,
    field_label,
    registry,
)

#: Every purpose of processing the controller has named, by code.
PURPOSES: dict[str, Purpose] = {
    value.code: value for value in vars(policy).values() if isinstance(value, Purpose)
}
RETENTION_RULES: dict[str, RetentionRule] = {
    value.code: value for value in vars(policy).values() if isinstance(value, RetentionRule)
}
TEXT_LANGUAGES = ("fi", "sv", "en")
TEXT_FIELDS = (
    "title",
    "description",
    "subject_groups",
    "sources",
    "contact_persons",
    "disclosures",
    "transfers",
    "retention",
    "security_electronic",
    "security_manual",
    "profiling",
)
#: Texts kept one item a line in the database and as a list in YAML.
LIST_TEXTS = ("subject_groups", "contact_persons")


def declared_apps() -> list[str]:
    return list(settings.PRIVACY_DECLARED_APPS)


@dataclass(frozen=True)
class DeclaredField:
    """One declared personal-data field, as a register description lists it."""

    app_label: str
    model_label: str
    name: str
    categories: tuple[Category, ...]
    purpose: Purpose
    retention: RetentionRule | None
    max_days: int | None = None
    sensitive: bool = False
    copy: bool = False

    @property
    def model(self):
        return django_apps.get_model(self.model_label)

    @property
    def model_verbose(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose(self) -> str:
        return field_label(self.model, self.name)

    @property
    def dotted(self) -> str:
        return f"{self.model_label}.{self.name}"


def declared_fields() -> list[DeclaredField]:
    """Every field the declarations say holds personal data, in declaration order."""
    found = []
    apps = set(declared_apps())
    for declaration in registry:
        label = declaration.model_label
        app_label = declaration.model._meta.app_label
        if app_label not in apps:
            # Another package's model (PRIVACY_DECLARED_MODELS: the audit trail) is declared by
            # the app that owns its concern, privacy (privacy/personal_data.py), and a register
            # covering privacy covers it.
            app_label = "privacy"
        for name, d in declaration.fields.items():
            if isinstance(d, PersonalField):
                found.append(
                    DeclaredField(
                        app_label,
                        label,
                        name,
                        (d.category,),
                        d.purpose,
                        d.retention,
                        sensitive=d.sensitive,
                    )
                )
            elif isinstance(d, PersonalCopy):
                copied = registry.copied_fields(d)
                categories = tuple(dict.fromkeys(c.category for c in copied.values()))
                found.append(
                    DeclaredField(
                        app_label, label, name, categories, d.purpose, d.retention, copy=True
                    )
                )
            elif isinstance(d, TransientPersonal):
                found.append(
                    DeclaredField(
                        app_label,
                        label,
                        name,
                        (d.category,),
                        d.purpose,
                        None,
                        max_days=d.max_days,
                    )
                )
    return found


def stored_categories(fields: Iterable[DeclaredField] | None = None) -> set[str]:
    """The categories some declared field holds."""
    fields = declared_fields() if fields is None else fields
    return {c.value for f in fields for c in f.categories}


def covered_fields(register, fields: list[DeclaredField] | None = None) -> list[DeclaredField]:
    """The declared fields a register covers: those of its apps and of its categories."""
    fields = declared_fields() if fields is None else fields
    apps, categories = set(register.apps or []), set(register.categories or [])
    return [
        f for f in fields if f.app_label in apps or any(c.value in categories for c in f.categories)
    ]


def covered_categories(register, fields=None) -> list[Category]:
    values = stored_categories(covered_fields(register, fields)) | set(register.categories or [])
    return [c for c in Category if c.value in values]


def retention_rules(covered: list[DeclaredField]) -> list[RetentionRule]:
    return list(dict.fromkeys(f.retention for f in covered if f.retention is not None))


def tombstone_fields(covered: list[DeclaredField]) -> list[DeclaredField]:
    """The covered fields a merge tombstone keeps about a merged duplicate (its old address)."""
    tombstone = registry.tombstone()
    if tombstone is None:
        return []
    label = tombstone[0].model_label
    return [f for f in covered if f.model_label == label and not f.copy]


@dataclass(frozen=True)
class Drift:
    """Where the declarations and the register descriptions disagree."""

    #: Categories some field holds that no register covers.
    uncovered: list[Category]
    #: (register name, category) a register claims though no declared field holds it.
    unfounded: list[tuple[str, Category]]

    def __bool__(self) -> bool:
        return bool(self.uncovered or self.unfounded)


def drift(registers=None) -> Drift:
    from .models import Register

    registers = list(Register.objects.all()) if registers is None else list(registers)
    fields = declared_fields()
    stored = stored_categories(fields)
    covered: set[str] = set()
    for register in registers:
        covered |= stored_categories(covered_fields(register, fields))
    unfounded = [
        (r.name, Category(c))
        for r in registers
        for c in r.categories or []
        if c in Category.values and c not in stored
    ]
    uncovered = [c for c in Category if c.value in stored and c.value not in covered]
    return Drift(uncovered=uncovered, unfounded=unfounded)


# --- The canonical document -------------------------------------------------------------------


def text_lines(text: str) -> list[str]:
    """A one-item-a-line text as its items."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def as_document(register) -> dict:
    """The register description as plain data: what dump_register writes and load_register
    reads (docs/register-schema.md)."""
    texts = {}
    for text in sorted(register.texts.all(), key=lambda t: TEXT_LANGUAGES.index(t.language)):
        entry = {}
        for name in TEXT_FIELDS:
            value = getattr(text, name)
            entry[name] = text_lines(value) if name in LIST_TEXTS else value
        texts[text.language] = entry
    return {
        "name": register.name,
        "slug": register.slug,
        "controller": {
            "name": register.controller_name,
            "address": register.controller_address,
            "business_id": register.controller_business_id,
            "phone": register.controller_phone,
            "email": register.controller_email,
        },
        "contact_persons": text_lines(register.contact_persons),
        "data_protection_officer": {
            "name": register.dpo_name,
            "email": register.dpo_email,
            "phone": register.dpo_phone,
        },
        "purposes": list(register.purposes),
        "apps": list(register.apps),
        "categories": list(register.categories),
        "texts": texts,
    }


def as_yaml(register) -> str:
    return yaml.safe_dump(
        as_document(register), allow_unicode=True, sort_keys=False, default_flow_style=False
    )


def fingerprint(register) -> str:
    """A short hash of the canonical description: two prints with the same fingerprint describe
    the register identically."""
    canonical = yaml.safe_dump(as_document(register), allow_unicode=True, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


# --- Validation -------------------------------------------------------------------------------

_TOP = {
    "name",
    "slug",
    "controller",
    "contact_persons",
    "data_protection_officer",
    "purposes",
    "apps",
    "categories",
    "texts",
}
_CONTROLLER = {
    "name": "controller_name",
    "address": "controller_address",
    "business_id": "controller_business_id",
    "phone": "controller_phone",
    "email": "controller_email",
}
_DPO = {"name": "dpo_name", "email": "dpo_email", "phone": "dpo_phone"}


class RegisterInvalid(Exception):
    """Every problem of a register description, each as 'path: message'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _string(data: dict, key: str, path: str, problems: list[str]) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        problems.append(f"{path}: expected text")
        return ""
    return str(value)


def _string_list(value, path: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{path}: expected a list")
        return []
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            problems.append(f"{path}[{i}]: expected text")
        else:
            out.append(item)
    return out


def _codes(value, path: str, known: Iterable[str], what: str, problems: list[str]) -> list[str]:
    known = set(known)
    out = []
    for i, code in enumerate(_string_list(value, path, problems)):
        if code not in known:
            problems.append(f'{path}[{i}]: unknown {what} "{code}"')
        elif code in out:
            problems.append(f'{path}[{i}]: "{code}" is listed twice')
        else:
            out.append(code)
    return out


def _unknown_keys(data: dict, allowed, path: str, problems: list[str]) -> None:
    for key in data:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            problems.append(f"{where}: unknown key")


def _mapping(value, path: str, problems: list[str]) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{path}: expected a mapping")
        return {}
    return value


def _model_errors(instance, paths: dict[str, str], prefix: str, problems, exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            path = paths.get(field, field)
            where = f"{prefix}{path}" if path != "__all__" else prefix.rstrip(".") or "register"
            problems.extend(f"{where}: {m}" for m in messages)


def parse_document(data) -> tuple:
    """(register, texts by language) built from a document, unsaved, or RegisterInvalid with
    every problem found. An existing register of the same name is the one updated."""
    from .models import Register, RegisterText

    problems: list[str] = []
    if not isinstance(data, dict):
        raise RegisterInvalid(["(document): expected a mapping of the register's keys"])
    _unknown_keys(data, _TOP, "", problems)
    name = _string(data, "name", "name", problems)
    register = Register.objects.filter(name=name).first() if name else None
    register = register or Register()
    register.name = name
    register.slug = _string(data, "slug", "slug", problems)
    controller = _mapping(data.get("controller"), "controller", problems)
    _unknown_keys(controller, _CONTROLLER, "controller", problems)
    for key, attr in _CONTROLLER.items():
        setattr(register, attr, _string(controller, key, f"controller.{key}", problems))
    dpo = _mapping(data.get("data_protection_officer"), "data_protection_officer", problems)
    _unknown_keys(dpo, _DPO, "data_protection_officer", problems)
    for key, attr in _DPO.items():
        setattr(register, attr, _string(dpo, key, f"data_protection_officer.{key}", problems))
    register.contact_persons = "\n".join(
        _string_list(data.get("contact_persons"), "contact_persons", problems)
    )
    register.purposes = _codes(data.get("purposes"), "purposes", PURPOSES, "purpose", problems)
    register.apps = _codes(data.get("apps"), "apps", declared_apps(), "app", problems)
    register.categories = _codes(
        data.get("categories"), "categories", Category.values, "category", problems
    )
    paths = {
        "controller_name": "controller.name",
        "controller_address": "controller.address",
        "controller_business_id": "controller.business_id",
        "controller_phone": "controller.phone",
        "controller_email": "controller.email",
        "dpo_name": "data_protection_officer.name",
        "dpo_email": "data_protection_officer.email",
        "dpo_phone": "data_protection_officer.phone",
    }
    _model_errors(register, paths, "", problems)
    problems.extend(register_problems(register))

    texts = {}
    raw_texts = _mapping(data.get("texts"), "texts", problems)
    if not raw_texts:
        problems.append("texts: a register needs its texts in at least one language")
    for language, raw in raw_texts.items():
        path = f"texts.{language}"
        if language not in TEXT_LANGUAGES:
            problems.append(f"{path}: unknown language (fi, sv or en)")
            continue
        raw = _mapping(raw, path, problems)
        _unknown_keys(raw, TEXT_FIELDS, path, problems)
        text = RegisterText(language=language)
        for field in TEXT_FIELDS:
            if field in LIST_TEXTS:
                value = "\n".join(_string_list(raw.get(field), f"{path}.{field}", problems))
            else:
                value = _string(raw, field, f"{path}.{field}", problems)
            setattr(text, field, value)
        _model_errors(text, {}, f"{path}.", problems, exclude=["register"])
        texts[language] = text
    if problems:
        raise RegisterInvalid(problems)
    return register, texts


def register_problems(register) -> list[str]:
    """The rules a register's code lists keep (the admin's form and the YAML loader)."""
    problems = []
    if not register.purposes:
        problems.append("purposes: a register has at least one purpose")
    if not (register.apps or register.categories):
        problems.append("apps: a register covers at least one app or category")
    return problems


def load_document(text: str):
    """Parse YAML text into a document, or RegisterInvalid naming where it is broken."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
        problem = getattr(error, "problem", None) or str(error)
        raise RegisterInvalid([f"{where}: not valid YAML ({problem})"]) from None
