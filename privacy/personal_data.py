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
from .models import (
    AccessedPerson,
    Breach,
    DataExport,
    PortalLink,
    Register,
    RegisterText,
    RequestTransition,
    Restriction,
    RightsRequest,
    Suppression,
)
from .policy import (
    ACCOUNTABILITY,
    AUDIT_TRAIL,
    RIGHTS_REQUESTS,
    WITH_THE_RECORD,
)

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


# A rights request is the person's data (that they asked, what and when) and the controller's
# proof that it answered in time (GDPR Art. 5(2), 12(3)). Erasing the person keeps the row as
# an anonymised accountability record: the right, the channel, the dates and the outcome stay
# under the RIGHTS_REQUESTS hold (counted from receipt); the address as given, how identity was
# checked, the free-text reasons and the type-specific details (proposed corrections) go.
def _request_kept(counted_from="received_at"):
    return personal(
        Category.RECORD,
        purpose=ACCOUNTABILITY,
        retention=RIGHTS_REQUESTS,
        erasure=Erasure.keep(
            law=RIGHTS_REQUESTS.law,
            period_days=RIGHTS_REQUESTS.period_days,
            counted_from=counted_from,
        ),
    )


def _request_erased(category, value):
    return personal(
        category, purpose=ACCOUNTABILITY, retention=RIGHTS_REQUESTS, erasure=Erasure.replace(value)
    )


declare(
    RightsRequest,
    subject="contact",
    erase=RowErasure.ANONYMISE,
    merge=MergeRule.MOVE,
    fields={
        "contact": subject_link(),
        "type": _request_kept(),
        "state": _request_kept(),
        "email": _request_erased(Category.CONTACT, ""),
        "language": _request_kept(),
        "channel": _request_kept(),
        "identity_check": _request_erased(Category.COMMUNICATIONS, ""),
        "received_at": _request_kept(),
        "due_at": _request_kept(),
        "extended_until": _request_kept(),
        "extension_reason": _request_erased(Category.COMMUNICATIONS, ""),
        "extension_notice_sent_at": _request_kept(),
        "rejection_reason": _request_erased(Category.COMMUNICATIONS, ""),
        "completed_at": _request_kept(),
        "reminder_sent_at": _request_kept(),
        "job_queued_at": not_personal("when the request's job was queued (operations)"),
        "job_started_at": not_personal("when the request's job started (operations)"),
        "job_finished_at": not_personal("when the request's job finished (operations)"),
        "payload": _request_erased(Category.COMMUNICATIONS, {}),
    },
)
# The log of a request's moves follows its request; who acted (staff) is kept, the note (free
# text that may quote the person) goes.
declare(
    RequestTransition,
    subject="request__contact",
    erase=RowErasure.ANONYMISE,
    merge=MergeRule.MOVE,
    fields={
        "request": subject_link(),
        "from_state": _request_kept("at"),
        "to_state": _request_kept("at"),
        "at": _request_kept("at"),
        "by": not_personal(_ACTOR),
        "actor": not_personal(_ACTOR),
        "note": _request_erased(Category.COMMUNICATIONS, ""),
    },
)
# Identity links are only a hash of a random token and their dates; erasure deletes them.
declare(
    PortalLink,
    subject="request__contact",
    erase=RowErasure.DELETE,
    merge=MergeRule.MOVE,
    fields={
        "request": subject_link(),
        "token_hash": not_personal("a hash of a random token; opens nothing without the mail"),
        "purpose": not_personal("which mail the link was in"),
        "created_at": personal(Category.RECORD, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD),
        "expires_at": not_personal("the link's lifetime"),
        "used_at": personal(Category.RECORD, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD),
    },
)
declare(
    Restriction,
    subject="contact",
    erase=RowErasure.DELETE,
    merge=MergeRule.MOVE,
    fields={
        "contact": subject_link(),
        "since": personal(Category.RECORD, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD),
        "request": not_personal("the request that asked for the restriction"),
        "lifted_at": personal(Category.RECORD, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD),
        "lifted_by": not_personal(_ACTOR),
        "lift_reason": personal(
            Category.COMMUNICATIONS, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD
        ),
    },
)
# The suppression list belongs to no row of the register: it outlives the person on purpose
# (that is what it is for) and holds no address in clear, only an HMAC-SHA256 of the normalised
# address under SUPPRESSION_KEY, which can answer "is this address suppressed?" for an address
# presented to the register but cannot be turned back into addresses. The register description
# says so (SUPPRESSION_LIST).
declare(
    Suppression,
    subject=None,
    fields={
        "email_hash": not_personal(
            "a keyed hash (HMAC-SHA256, SUPPRESSION_KEY) of an address; no address in clear, "
            "kept under SUPPRESSION_LIST so an erased or objecting person is not re-added"
        ),
        "reason": not_personal("erasure or objection"),
        "created_at": not_personal("when the address was suppressed"),
    },
)

# A copy of a person's data made for their access request: the file is theirs (removed when
# fetched or expired, and by the purge when erasure deletes the row); the row says when a copy
# was made and fetched. Erasure deletes it; a merge moves it to the kept person.
_EXPORT = "the export's bookkeeping: a random file name and a hash of the download token"
declare(
    DataExport,
    subject="contact",
    erase=RowErasure.DELETE,
    merge=MergeRule.MOVE,
    fields={
        "contact": subject_link(),
        "request": not_personal("the rights request the copy answers"),
        "language": personal(Category.CONTACT, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD),
        "file_name": not_personal(_EXPORT),
        "token_hash": not_personal(_EXPORT),
        "size": not_personal(_EXPORT),
        "created_at": personal(Category.RECORD, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD),
        "expires_at": personal(Category.RECORD, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD),
        "fetched_at": personal(Category.RECORD, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD),
        "deleted_at": personal(Category.RECORD, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD),
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
            "contact_persons",
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
