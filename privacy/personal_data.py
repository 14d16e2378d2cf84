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
from .models import AccessedPerson, DataExport
from .policy import ACCOUNTABILITY, AUDIT_TRAIL, WITH_THE_RECORD

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
