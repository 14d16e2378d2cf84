"""The personal-data declarations: the one place that says what each model field holds.

Every field of every concrete model in ``settings.PRIVACY_DECLARED_APPS`` (and of the models
named in ``settings.PRIVACY_DECLARED_MODELS``, such as the audit trail, which another package
owns) is declared exactly once, in a ``personal_data.py``. A model says once, in ``declare``,
whose rows they are (``subject``), what erasing that person does to its rows (``erase``) and how
its rows follow when two people are merged (``merge``); each field is then one of

* ``personal(...)``: the field holds personal data; it says the category, whether it is a special
  category (GDPR Art. 9), the processing purpose, the retention rule and, in a model whose rows
  survive erasure, what replaces the value or under which legal hold it is kept;
* ``personal_copy(...)``: a JSON object whose keys are fields of another declared model and whose
  values are copies of theirs (a merged duplicate's values, an audit entry's changes): it holds
  what those fields hold, category by category;
* ``subject_link()``: the relation through which a row belongs to a person (e.g. a membership's
  ``contact``); it carries no data of its own, the row's other declarations say what is kept;
* ``merged_subject_id()``: the id a person had before they were merged into the row's person
  (the merge tombstone's), through which rows kept under the old id are found;
* ``transient(...)``: personal data of many people held briefly for a job (an import file);
  kept at most ``max_days``;
* ``not_personal(reason)``: the field holds nothing about a person.

Export, erasure, merge, retention jobs and the DPO reports read these declarations; none of them
lists fields on its own. ``privacy.checks`` fails ``manage.py check`` when a field is missing, a
declaration names a field that does not exist, or a rule cannot be carried out.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: The model whose rows are the data subjects (the people in the register).
SUBJECT_MODEL = "crm.Contact"

#: The model whose end starts the clock of per-event retention rules (``RetentionRule.after_event``
#: and ``years_after_event_year``): the event data shredder removes such data event by event.
EVENT_MODEL = "events.Event"


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
    law rather than chosen by the controller. ``setting`` names a Django setting that overrides
    ``period_days`` at run time (the operator chooses the audit trail's period): read ``days``.

    Two clocks run from the end of an event (``EVENT_MODEL``), for data that belongs to one event
    (its rows reach the event through their relations): ``after_event`` names the event's field
    holding how many days after its end the data is kept (the organiser chooses per event), and
    ``years_after_event_year`` keeps the data that many whole years from the end of the year the
    event ended in (the Accounting Act's vouchers). The event data shredder reads them: once an
    event's clock has run out it deletes or anonymises the fields under the rule, as the model's
    ``erase`` says (see events/shredder.py); no job lists fields of its own.
    """

    code: str
    name: str | Promise
    description: str | Promise
    period_days: int | None = None
    law: str | Promise = ""
    setting: str = ""
    after_event: str = ""
    years_after_event_year: int = 0

    @property
    def days(self) -> int | None:
        if self.setting:
            return getattr(settings, self.setting, self.period_days)
        return self.period_days

    @property
    def per_event(self) -> bool:
        """Whether the event data shredder removes data under this rule event by event."""
        return bool(self.after_event or self.years_after_event_year)

    def event_data_due(self, *, event_ended: datetime.date, event) -> datetime.date | None:
        """The first day data of ``event`` (which ended on ``event_ended``) under this rule may
        no longer be kept; None for a rule that is not per event."""
        if self.after_event:
            days = getattr(event, self.after_event)
            return event_ended + datetime.timedelta(days=days if days is not None else 0)
        if self.years_after_event_year:
            return datetime.date(event_ended.year + self.years_after_event_year + 1, 1, 1)
        return None


class RowErasure(enum.Enum):
    """What erasing a person does to the rows of a model that belong to them."""

    #: The rows are deleted; their fields need no rule of their own.
    DELETE = "delete"
    #: The rows stay (statistics, legal holds, other rows point at them); every personal field
    #: says what replaces its value or under which legal hold it is kept.
    ANONYMISE = "anonymise"
    #: As ANONYMISE, and each row is marked as redacted (audit entries: who did what to which
    #: fields and when stays; the values about the person go).
    REDACT = "redact"


class MergeRule(enum.Enum):
    """How a model's rows follow when a duplicate person is merged into the kept one."""

    #: The rows are repointed at the kept person (one UPDATE, an audit entry per moved row).
    MOVE = "move"
    #: The rows are never updated: copies pointing at the kept person are appended (an
    #: append-only ledger), and the originals stay under the duplicate's id.
    APPEND = "append"
    #: The rows stay under the duplicate's id; the merge tombstone (``merged_subject_id()``)
    #: maps that id to the kept person for access requests and erasure.
    KEEP = "keep"


class ErasureAction(enum.Enum):
    REPLACE = "replace"
    KEEP = "keep"
    REDACT_VALUES = "redact_values"


#: What stands in an audit entry for a value that erasure removed.
REDACTED = "[redacted]"


@dataclass(frozen=True)
class Erasure:
    """What erasing a person does to one field of a row that survives erasure.

    Build it with ``Erasure.replace(value)``, ``Erasure.keep(law=..., period_days=...)`` or, for a
    ``personal_copy`` JSON object, ``Erasure.redact_values()``. A kept value is under a legal hold:
    the law and the period must be named so that the DPO report and the person's answer can say
    why and until when; ``counted_from`` names the row's date field the period runs from (empty:
    from the erasure). ``from_end_of_year``: the period runs from the end of the calendar year of
    that date (the Accounting Act keeps vouchers six years from the end of the year), and may be
    given in whole years (``period_years``); ``until`` computes the day the hold ends.
    """

    action: ErasureAction
    value: object = None
    law: str | Promise = ""
    period_days: int | None = None
    counted_from: str = ""
    period_years: int | None = None
    from_end_of_year: bool = False

    @classmethod
    def replace(cls, value: object) -> Erasure:
        return cls(ErasureAction.REPLACE, value=value)

    @classmethod
    def keep(
        cls,
        *,
        law: str | Promise,
        period_days: int | None = None,
        counted_from: str = "",
        period_years: int | None = None,
        from_end_of_year: bool = False,
    ) -> Erasure:
        if not law or not (period_days or period_years):
            raise ValueError("A legal hold names its law and its period.")
        return cls(
            ErasureAction.KEEP,
            law=law,
            period_days=period_days,
            counted_from=counted_from,
            period_years=period_years,
            from_end_of_year=from_end_of_year,
        )

    def until(self, start: datetime.date) -> datetime.date:
        """The last day of a hold whose period runs from ``start`` (as this rule counts it)."""
        if self.from_end_of_year:
            start = datetime.date(start.year, 12, 31)
        end = start
        if self.period_years:
            try:
                end = end.replace(year=end.year + self.period_years)
            except ValueError:  # 29 February in a year that has none
                end = end.replace(year=end.year + self.period_years, day=28)
        if self.period_days:
            end += datetime.timedelta(days=self.period_days)
        return end

    @classmethod
    def redact_values(cls) -> Erasure:
        """Keep the keys of a JSON copy (which fields), replace the copied personal values."""
        return cls(ErasureAction.REDACT_VALUES, value=REDACTED)


@dataclass(frozen=True)
class PersonalField:
    category: Category
    purpose: Purpose
    retention: RetentionRule
    #: None in a model whose rows erasure deletes (``RowErasure.DELETE``).
    erasure: Erasure | None = None
    sensitive: bool = False


@dataclass(frozen=True)
class PersonalCopy:
    """A JSON object holding copies of another declared model's field values.

    ``of`` is that model's label, or None for "the model of the row this row is about" (an
    audit entry's ``changes``). Each key holds what the copied field holds: its category and
    sensitivity come from that field's declaration, the purpose, retention and erasure from here.
    """

    of: str | None
    purpose: Purpose
    retention: RetentionRule
    erasure: Erasure | None = None

    def as_field(self, copied: PersonalField) -> PersonalField:
        """The declaration of one copied value: the copied field's category, this copy's rules."""
        return PersonalField(
            category=copied.category,
            purpose=self.purpose,
            retention=self.retention,
            erasure=self.erasure,
            sensitive=copied.sensitive,
        )


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
    """The relation that ties a row to its person; the model's erasure decides what happens."""


@dataclass(frozen=True)
class MergedSubjectId:
    """The id a person had before being merged into the row's person (the merge tombstone)."""


@dataclass(frozen=True)
class NotPersonal:
    reason: str = ""


Declaration = (
    PersonalField | PersonalCopy | TransientPersonal | SubjectLink | MergedSubjectId | NotPersonal
)


@dataclass(frozen=True)
class AboutRows:
    """The subject of a model whose rows are about rows of other models (the audit trail).

    A row is about the person when ``content_type`` and ``object_id`` name the person's own row,
    a row that belongs to them (a membership, an interaction), or such a row that is gone (found
    by its deletion entry). ``mark`` is the JSON field where ``RowErasure.REDACT`` marks a row.
    """

    content_type: str
    object_id: str
    mark: str = ""


def personal(
    category: Category,
    *,
    purpose: Purpose,
    retention: RetentionRule,
    erasure: Erasure | None = None,
    sensitive: bool = False,
) -> PersonalField:
    return PersonalField(
        category=category,
        purpose=purpose,
        retention=retention,
        erasure=erasure,
        sensitive=sensitive,
    )


def personal_copy(
    of: type[models.Model] | str | None,
    *,
    purpose: Purpose,
    retention: RetentionRule,
    erasure: Erasure | None = None,
) -> PersonalCopy:
    label = of._meta.label if isinstance(of, type) else of
    return PersonalCopy(of=label, purpose=purpose, retention=retention, erasure=erasure)


def transient(
    category: Category, *, purpose: Purpose, max_days: int, reason: str
) -> TransientPersonal:
    if max_days <= 0 or max_days > 30:
        raise ValueError("Transient personal data is kept for 1 to 30 days.")
    return TransientPersonal(category=category, purpose=purpose, max_days=max_days, reason=reason)


def subject_link() -> SubjectLink:
    return SubjectLink()


def merged_subject_id() -> MergedSubjectId:
    return MergedSubjectId()


def not_personal(reason: str = "") -> NotPersonal:
    return NotPersonal(reason)


def about_rows(*, content_type: str, object_id: str, mark: str = "") -> AboutRows:
    return AboutRows(content_type=content_type, object_id=object_id, mark=mark)


#: ``merge_append(rows=..., survivor=..., actor=...)`` appends the kept person's copies of a
#: duplicate's rows itself, when a plain copy is not what the model's ledger needs.
MergeAppender = Callable[..., None]


@dataclass(frozen=True)
class ModelDeclaration:
    """All of one model's fields, how to find the person a row belongs to, and what erasing and
    merging that person do to the row.

    ``subject`` is a lookup path from the model to ``SUBJECT_MODEL`` (``"contact"``,
    ``"registration__contact"``), ``""`` for the subject model itself, an ``AboutRows`` for rows
    about other rows (the audit trail), and ``None`` for a model that holds nothing about anyone
    (every field ``not_personal``).
    """

    model: type[models.Model]
    subject: str | AboutRows | None
    fields: Mapping[str, Declaration] = field(default_factory=dict)
    erase: RowErasure | None = None
    merge: MergeRule | None = None
    merge_append: MergeAppender | None = None
    #: The lookup path to ``EVENT_MODEL`` of a model holding per-event data, when its foreign
    #: keys reach an event more than one way (an answer's registration and its question);
    #: otherwise the one shortest path is found (``event_paths``).
    event: str | None = None

    @property
    def event_path(self) -> str | None:
        """How the shredder finds an event's rows of this model, or None if it cannot."""
        if self.event is not None:
            return self.event
        paths = event_paths(self.model)
        return paths[0] if len(paths) == 1 else None

    @property
    def model_label(self) -> str:
        return self.model._meta.label

    @property
    def about_rows(self) -> bool:
        return isinstance(self.subject, AboutRows)

    @property
    def link(self) -> str | None:
        """The first step of a subject path (the row's relation towards the person)."""
        if isinstance(self.subject, str) and self.subject:
            return self.subject.split("__")[0]
        return None

    @property
    def links_the_person_directly(self) -> bool:
        return isinstance(self.subject, str) and bool(self.subject) and "__" not in self.subject

    def personal_fields(self) -> dict[str, PersonalField]:
        return {n: d for n, d in self.fields.items() if isinstance(d, PersonalField)}

    def copy_fields(self) -> dict[str, PersonalCopy]:
        return {n: d for n, d in self.fields.items() if isinstance(d, PersonalCopy)}

    def held_fields(self) -> dict[str, PersonalField | PersonalCopy]:
        """Every field that holds data about the person: the access answer shows these."""
        return {n: d for n, d in self.fields.items() if isinstance(d, PersonalField | PersonalCopy)}

    def per_event_fields(self) -> dict[str, PersonalField | PersonalCopy]:
        """The held fields whose retention runs from the end of an event (the shredder's)."""
        return {n: d for n, d in self.held_fields().items() if d.retention.per_event}

    def transient_fields(self) -> dict[str, TransientPersonal]:
        return {n: d for n, d in self.fields.items() if isinstance(d, TransientPersonal)}

    def merged_id_field(self) -> str | None:
        return next((n for n, d in self.fields.items() if isinstance(d, MergedSubjectId)), None)

    def merge_fill_fields(self) -> list[str]:
        """The fields a merge fills on the kept row from the other row when the kept one is empty:
        what the rows say about the person, not the register metadata (source and dates), which
        describes the row and stays with the merge tombstone."""
        return [n for n, d in self.personal_fields().items() if d.category is not Category.RECORD]


class DeclarationRegistry:
    def __init__(self) -> None:
        self._declarations: dict[str, ModelDeclaration] = {}

    def declare(
        self,
        model: type[models.Model],
        *,
        subject: str | AboutRows | None,
        fields: Mapping[str, Declaration],
        erase: RowErasure | None = None,
        merge: MergeRule | None = None,
        merge_append: MergeAppender | None = None,
        event: str | None = None,
    ) -> ModelDeclaration:
        """Declare ``model`` once: whose rows, what erasure and merge do to them, each field
        (and, for per-event data reaching an event more than one way, the path to it)."""
        label = model._meta.label
        if label in self._declarations:
            raise ValueError(f"{label} is declared twice; a model is declared once.")
        declaration = ModelDeclaration(
            model=model,
            subject=subject,
            fields=dict(fields),
            erase=erase,
            merge=merge,
            merge_append=merge_append,
            event=event,
        )
        self._declarations[label] = declaration
        return declaration

    def get(self, model: type[models.Model] | str) -> ModelDeclaration | None:
        label = model if isinstance(model, str) else model._meta.label
        return self._declarations.get(label)

    def transient_max_days(self, model: type[models.Model], field_name: str) -> int:
        """The longest a transient field's content may be kept (what the purge enforces)."""
        declaration = self.get(model)
        held = declaration.fields.get(field_name) if declaration else None
        if not isinstance(held, TransientPersonal):
            raise LookupError(f"{model._meta.label}.{field_name} is not declared transient().")
        return held.max_days

    def copied_fields(self, copy: PersonalCopy, model_label: str | None = None) -> dict:
        """{key: PersonalField} for the values a copy may hold: the copied model's personal
        fields under the copy's purpose, retention and erasure. ``model_label`` says which model
        a copy ``of=None`` is about (the row an audit entry describes)."""
        label = copy.of or model_label
        source = self.get(label) if label else None
        if source is None:
            return {}
        return {name: copy.as_field(d) for name, d in source.personal_fields().items()}

    def tombstone(self) -> tuple[ModelDeclaration, str] | None:
        """The merge tombstone's declaration and its ``merged_subject_id()`` field, if any."""
        for declaration in self:
            name = declaration.merged_id_field()
            if name:
                return declaration, name
        return None

    def __iter__(self) -> Iterator[ModelDeclaration]:
        return iter(self._declarations.values())

    def __len__(self) -> int:
        return len(self._declarations)


#: Labels for fields of other packages' models, where their own would reach a person or the DPO
#: untranslated or unclear: django-auditlog has no Finnish or Swedish catalogue, calls two fields
#: "change message" and gives ``serialized_data`` no label at all.
_FIELD_LABELS = {
    ("auditlog.LogEntry", "object_repr"): _("what the entry is about"),
    ("auditlog.LogEntry", "serialized_data"): _("the row's data when the entry was written"),
    ("auditlog.LogEntry", "changes_text"): _("change described"),
    ("auditlog.LogEntry", "changes"): _("changed values (before, after)"),
}


def field_label(model: type[models.Model], name: str) -> str:
    """A field's label as reports, exports and previews show it (its verbose name, in the
    active language)."""
    label = _FIELD_LABELS.get((model._meta.label, name))
    return str(label if label is not None else model._meta.get_field(name).verbose_name)


def event_paths(model: type[models.Model], *, max_depth: int = 3) -> list[str]:
    """The shortest lookup paths from ``model`` to ``EVENT_MODEL`` along its own foreign keys
    (``"event"``, ``"registration__event"``; ``""`` for the event itself): how the shredder finds
    an event's rows. More than one path of the shortest length is ambiguous (privacy.checks says
    so); none means the model's data cannot be per event."""
    if model._meta.label == EVENT_MODEL:
        return [""]
    level: list[tuple[str, type[models.Model]]] = [("", model)]
    for _depth in range(max_depth):
        found, following = [], []
        for prefix, current in level:
            for f in current._meta.concrete_fields:
                if not (f.many_to_one or f.one_to_one) or f.related_model is None:
                    continue
                path = f"{prefix}__{f.name}" if prefix else f.name
                if f.related_model._meta.label == EVENT_MODEL:
                    found.append(path)
                else:
                    following.append((path, f.related_model))
        if found:
            return found
        level = following
    return []


#: The project's registry. Apps call ``declare`` in their personal_data.py.
registry = DeclarationRegistry()
declare = registry.declare
