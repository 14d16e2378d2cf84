"""Declarations of the privacy concern's models, and of the audit trail.

django-auditlog's ``LogEntry`` is another package's model, but its entries hold names, emails and
addresses of the people in the register (``changes``, ``object_repr``), so it is declared here,
by the app that owns accountability (``settings.PRIVACY_DECLARED_MODELS`` makes the checks cover
it). Who acted, from which address and when is the staff member's data and is what the audit
trail is for: it stays when a person is erased; the values about the person are redacted.
"""

from auditlog.models import LogEntry

from .declarations import (
    REDACTED,
    Category,
    Erasure,
    MergeRule,
    RowErasure,
    about_rows,
    declare,
    not_personal,
    personal,
    personal_copy,
    subject_link,
)
from .models import AccessedPerson, Breach, Register, RegisterText
from .policy import ACCOUNTABILITY, AUDIT_TRAIL

_ACTOR = "who acted, from where and when: the staff member's, kept to show who did what"

declare(
    LogEntry,
    subject=about_rows(content_type="content_type", object_id="object_id", mark="additional_data"),
    erase=RowErasure.REDACT,
    # Entries about a merged duplicate stay under its id; the merge tombstone maps it.
    merge=MergeRule.KEEP,
    fields={
        "content_type": not_personal("which kind of row the entry is about"),
        "object_pk": not_personal("the id of the row, which erasure anonymises or removes"),
        "object_id": not_personal("the id of the row, which erasure anonymises or removes"),
        "object_repr": personal(
            Category.IDENTITY,
            purpose=ACCOUNTABILITY,
            retention=AUDIT_TRAIL,
            erasure=Erasure.replace(REDACTED),
        ),
        "serialized_data": personal_copy(
            None, purpose=ACCOUNTABILITY, retention=AUDIT_TRAIL, erasure=Erasure.replace(None)
        ),
        "action": not_personal("what was done"),
        "changes_text": personal(
            Category.COMMUNICATIONS,
            purpose=ACCOUNTABILITY,
            retention=AUDIT_TRAIL,
            erasure=Erasure.replace(""),
        ),
        # Before and after values of the fields of the row the entry is about: which fields
        # changed stays, the values about the person go.
        "changes": personal_copy(
            None, purpose=ACCOUNTABILITY, retention=AUDIT_TRAIL, erasure=Erasure.redact_values()
        ),
        "actor": not_personal(_ACTOR),
        "cid": not_personal("the request's correlation id"),
        # The staff member's (or integration's) address, not the person's: kept as part of who
        # did what, e.g. to trace a misused account.
        "remote_addr": not_personal(_ACTOR),
        "remote_port": not_personal(_ACTOR),
        "timestamp": not_personal(_ACTOR),
        "additional_data": not_personal(
            "ids and paths of the work that wrote the entry, and the redaction mark"
        ),
        "actor_email": not_personal(_ACTOR),
    },
)

# Who was shown on a page that showed several people: the person's side of one shared access
# entry. The entry itself holds no name (a count and the page); this row is what says that this
# person was among those shown, so access requests and the DPO's filter find the entry through
# it, and erasure deletes it (the entry stays for the others shown, and as "someone was shown").
# A merged duplicate's rows stay under its id, as its entries do: the tombstone maps it.
declare(
    AccessedPerson,
    subject="contact",
    erase=RowErasure.DELETE,
    merge=MergeRule.KEEP,
    fields={
        "contact": subject_link(),
        "entry": personal(Category.RECORD, purpose=ACCOUNTABILITY, retention=AUDIT_TRAIL),
    },
)

_NOTICE = "the controller's published register description"
declare(
    Register,
    subject=None,
    fields={
        name: not_personal(_NOTICE)
        for name in (
            "name",
            "slug",
            "controller_name",
            "controller_address",
            "controller_business_id",
            "controller_phone",
            "controller_email",
            "contact_persons",
            "dpo_name",
            "dpo_email",
            "dpo_phone",
            "purposes",
            "apps",
            "categories",
            "updated_at",
        )
    },
)
declare(
    RegisterText,
    subject=None,
    fields={
        name: not_personal(_NOTICE)
        for name in (
            "register",
            "language",
            "title",
            "description",
            "subject_groups",
            "sources",
            "disclosures",
            "transfers",
            "retention",
            "security_electronic",
            "security_manual",
            "profiling",
        )
    },
)
# The breach record describes an incident in numbers and categories, never the people in it
# (GDPR Art. 33(5)); the staff member who recorded it is the staff member's data.
declare(
    Breach,
    subject=None,
    fields={
        name: not_personal("a record of an incident, in numbers and categories")
        for name in (
            "discovered_at",
            "nature",
            "categories",
            "people_affected",
            "records_affected",
            "consequences",
            "measures",
            "authority_notified_at",
            "not_notified_reason",
            "people_informed_at",
            "not_informed_reason",
            "recorded_by",
            "created_at",
            "warned_near_at",
            "warned_overdue_at",
        )
    },
)
