"""The personal-data declarations: the one place that says what each model field holds.

Every field of every concrete model in ``settings.PRIVACY_DECLARED_APPS`` is declared exactly
once, in its app's ``personal_data.py``, as one of

* ``personal(...)``: the field holds personal data; it says the category, whether it is a special
  category (GDPR Art. 9), the processing purpose, the retention rule and what erasure does;
* ``subject_link()``: the relation through which a row belongs to a person (e.g. a membership's
  ``contact``); it carries no data of its own, the row's other declarations say what is kept;
* ``transient(...)``: personal data of many people held briefly for a job (an import file);
  kept at most ``max_days``;
* ``not_personal(reason)``: the field holds nothing about a person.

Export, erasure, anonymisation, retention jobs and the DPO reports read these declarations; none
of them lists fields on its own. ``privacy.checks`` fails ``manage.py check`` when a field is
missing or a declaration names a field that does not exist.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: The model whose rows are the data subjects (the people in the register).
SUBJECT_MODEL = "crm.Contact"


class Category(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact details")
    ORGANISATION_ROLE = "organisation_role", _("Organisation and role")
    FINANCIAL = "financial", _("Payment and invoicing")
    TECHNICAL = "technical", _("Technical data")
    COMMUNICATIONS = "communications", _("Communications and free text")
    CONSENT = "consent", _("Consents and choices")
    PARTICIPATION = "participation", _("Event participation")
    RECORD = "record", _("Register metadata (source and dates)")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent (GDPR Art. 6(1)(a))")
    CONTRACT = "contract", _("Contract (GDPR Art. 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (GDPR Art. 6(1)(c))")
    PUBLIC_TASK = "public_task", _("Public task (GDPR Art. 6(1)(e))")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (GDPR Art. 6(1)(f))")


@dataclass(frozen=True)
class Purpose:
    """A purpose of processing, as the register description names it.

    A purpose may rest on more than one basis for different people (a contract with a customer,
    legitimate interest for a prospect's contact person); ``description`` says which applies to
    whom, as the register description must.
    """

    code: str
    name: str | Promise
    legal_bases: tuple[LegalBasis, ...]
    description: str | Promise = ""


@dataclass(frozen=True)
class RetentionRule:
    """How long data is kept, and from what moment the clock runs.

    ``period_days`` is None when the end is an event rather than a time (the end of the customer
    relationship, the withdrawal of consent). ``law`` names the statute when the period is set by
    law rather than chosen by the controller.
    """

    code: str
    name: str | Promise
    description: str | Promise
    period_days: int | None = None
    law: str | Promise = ""


class ErasureAction(enum.Enum):
    DELETE_ROW = "delete_row"
    REPLACE = "replace"
    KEEP = "keep"


@dataclass(frozen=True)
class Erasure:
    """What erasing a person does to one field.

    Build it with ``Erasure.delete_row()``, ``Erasure.replace(value)`` or
    ``Erasure.keep(law=..., period_days=...)``: a kept value is under a legal hold, and the law
    and the period must be named so that the DPO report and the person's answer can say why.
    """

    action: ErasureAction
    value: object = None
    law: str | Promise = ""
    period_days: int | None = None

    @classmethod
    def delete_row(cls) -> Erasure:
        return cls(ErasureAction.DELETE_ROW)

    @classmethod
    def replace(cls, value: object) -> Erasure:
        return cls(ErasureAction.REPLACE, value=value)

    @classmethod
    def keep(cls, *, law: str | Promise, period_days: int) -> Erasure:
        if not law or not period_days:
            raise ValueError("A legal hold names its law and its period.")
        return cls(ErasureAction.KEEP, law=law, period_days=period_days)


@dataclass(frozen=True)
class PersonalField:
    category: Category
    purpose: Purpose
    retention: RetentionRule
    erasure: Erasure
    sensitive: bool = False


@dataclass(frozen=True)
class TransientPersonal:
    """Personal data of many people held only while a job needs it (an uploaded import file).

    It belongs to no single person, so access requests cannot show it; it must therefore be
    short-lived: ``max_days`` is the longest it is kept, and a scheduled purge enforces it.
    """

    category: Category
    purpose: Purpose
    max_days: int
    reason: str


@dataclass(frozen=True)
class SubjectLink:
    """The relation that ties a row to its person; the row's erasure decides what happens."""


@dataclass(frozen=True)
class NotPersonal:
    reason: str = ""


Declaration = PersonalField | TransientPersonal | SubjectLink | NotPersonal


def personal(
    category: Category,
    *,
    purpose: Purpose,
    retention: RetentionRule,
    erasure: Erasure,
    sensitive: bool = False,
) -> PersonalField:
    return PersonalField(
        category=category,
        purpose=purpose,
        retention=retention,
        erasure=erasure,
        sensitive=sensitive,
    )


def transient(
    category: Category, *, purpose: Purpose, max_days: int, reason: str
) -> TransientPersonal:
    if max_days <= 0 or max_days > 30:
        raise ValueError("Transient personal data is kept for 1 to 30 days.")
    return TransientPersonal(category=category, purpose=purpose, max_days=max_days, reason=reason)


def subject_link() -> SubjectLink:
    return SubjectLink()


def not_personal(reason: str = "") -> NotPersonal:
    return NotPersonal(reason)


@dataclass(frozen=True)
class ModelDeclaration:
    """All of one model's fields, and how to find the person a row belongs to.

    ``subject`` is a lookup path from the model to ``SUBJECT_MODEL`` (``"contact"``,
    ``"registration__contact"``), ``""`` for the subject model itself, and ``None`` for a model
    that holds nothing about anyone (every field ``not_personal``).
    """

    model_label: str
    subject: str | None
    fields: Mapping[str, Declaration] = field(default_factory=dict)

    def personal_fields(self) -> dict[str, PersonalField]:
        return {n: d for n, d in self.fields.items() if isinstance(d, PersonalField)}

    def transient_fields(self) -> dict[str, TransientPersonal]:
        return {n: d for n, d in self.fields.items() if isinstance(d, TransientPersonal)}


class DeclarationRegistry:
    def __init__(self) -> None:
        self._declarations: dict[str, ModelDeclaration] = {}

    def declare(
        self,
        model: type[models.Model],
        *,
        subject: str | None,
        fields: Mapping[str, Declaration],
    ) -> ModelDeclaration:
        label = model._meta.label
        if label in self._declarations:
            raise ValueError(f"{label} is declared twice; a model is declared once.")
        declaration = ModelDeclaration(model_label=label, subject=subject, fields=dict(fields))
        self._declarations[label] = declaration
        return declaration

    def get(self, model: type[models.Model]) -> ModelDeclaration | None:
        return self._declarations.get(model._meta.label)

    def __iter__(self) -> Iterator[ModelDeclaration]:
        return iter(self._declarations.values())

    def __len__(self) -> int:
        return len(self._declarations)


#: The project's registry. Apps call ``declare`` in their personal_data.py.
registry = DeclarationRegistry()
declare = registry.declare
