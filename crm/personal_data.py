"""What crm's models hold about people: the one declaration of each field."""

from privacy.declarations import (
    Category,
    Erasure,
    MergeRule,
    RowErasure,
    declare,
    merged_subject_id,
    not_personal,
    personal,
    personal_copy,
    subject_link,
    transient,
)
from privacy.policy import ACCOUNTABILITY, CUSTOMER_RELATIONSHIP, WHILE_CUSTOMER, WITH_THE_RECORD

from .models import (
    ApiClient,
    Contact,
    ContactMerge,
    ImportJob,
    Industry,
    Interaction,
    Membership,
    Municipality,
    Organisation,
)

_anonymise = Erasure.replace("")


def _customer(category, erasure=_anonymise, **kw):
    return personal(
        category, purpose=CUSTOMER_RELATIONSHIP, retention=WHILE_CUSTOMER, erasure=erasure, **kw
    )


def _record():
    return personal(
        Category.RECORD,
        purpose=ACCOUNTABILITY,
        retention=WITH_THE_RECORD,
        erasure=Erasure.replace(None),
    )


declare(
    Municipality,
    subject=None,
    fields={
        "code": not_personal("official classification"),
        "name_fi": not_personal("official classification"),
        "name_sv": not_personal("official classification"),
        "active": not_personal("official classification"),
    },
)

declare(
    Industry,
    subject=None,
    fields={
        name: not_personal("official classification")
        for name in ("code", "level", "parent", "name_fi", "name_sv", "name_en")
    },
)

_LEGAL_PERSON = "about a legal person"

declare(
    Organisation,
    subject=None,
    fields={
        "name": not_personal(_LEGAL_PERSON),
        "business_id": not_personal(_LEGAL_PERSON),
        "industry": not_personal(_LEGAL_PERSON),
        "street_address": not_personal(_LEGAL_PERSON),
        "postal_code": not_personal(_LEGAL_PERSON),
        "post_office": not_personal(_LEGAL_PERSON),
        "municipality": not_personal(_LEGAL_PERSON),
        "relationship": not_personal(_LEGAL_PERSON),
        "is_owner": not_personal(_LEGAL_PERSON),
        # Staff are told (help text) to write about a person on the person's own page, where
        # access, export and erasure find it; identity codes are refused here as everywhere.
        "notes": not_personal("notes about the organisation, not about people"),
        "created_at": not_personal("bookkeeping of the row"),
        "updated_at": not_personal("bookkeeping of the row"),
    },
)

# The person's own row is anonymised, not deleted: event statistics and records under a legal
# hold keep pointing at an anonymous row rather than at nothing. A merge removes the duplicate's
# row and keeps its values in a ContactMerge (the tombstone), so Contact needs no merge rule.
declare(
    Contact,
    subject="",
    erase=RowErasure.ANONYMISE,
    fields={
        "first_name": _customer(Category.IDENTITY),
        "last_name": _customer(Category.IDENTITY),
        "email": _customer(Category.CONTACT),
        "phone": _customer(Category.CONTACT),
        "street_address": _customer(Category.CONTACT),
        "postal_code": _customer(Category.CONTACT),
        "post_office": _customer(Category.CONTACT),
        "nationality": _customer(Category.IDENTITY),
        "municipality": _customer(Category.CONTACT, erasure=Erasure.replace(None)),
        "preferred_language": _customer(Category.CONTACT, erasure=Erasure.replace("fi")),
        "subject_category": personal(
            Category.RECORD,
            purpose=ACCOUNTABILITY,
            retention=WITH_THE_RECORD,
            erasure=Erasure.replace(Contact.SubjectCategory.ERASED),
        ),
        "source": personal(
            Category.RECORD,
            purpose=ACCOUNTABILITY,
            retention=WITH_THE_RECORD,
            erasure=Erasure.replace(Contact.Source.ERASED),
        ),
        "source_detail": personal(
            Category.RECORD, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD, erasure=_anonymise
        ),
        "collected_at": _record(),
        "created_at": _record(),
        "updated_at": _record(),
    },
)


def _role(category):
    return personal(category, purpose=CUSTOMER_RELATIONSHIP, retention=WHILE_CUSTOMER)


declare(
    Membership,
    subject="contact",
    erase=RowErasure.DELETE,
    merge=MergeRule.MOVE,
    fields={
        "contact": subject_link(),
        "organisation": _role(Category.ORGANISATION_ROLE),
        "job_title": _role(Category.ORGANISATION_ROLE),
        "work_email": _role(Category.CONTACT),
        "work_phone": _role(Category.CONTACT),
        "start_date": _role(Category.ORGANISATION_ROLE),
        "end_date": _role(Category.ORGANISATION_ROLE),
    },
)


declare(
    Interaction,
    subject="contact",
    erase=RowErasure.DELETE,
    merge=MergeRule.MOVE,
    fields={
        "contact": subject_link(),
        "organisation": _role(Category.ORGANISATION_ROLE),
        "kind": _role(Category.COMMUNICATIONS),
        "occurred_at": _role(Category.COMMUNICATIONS),
        # The staff member is personal data of the staff member, not of the person in the register.
        "staff": not_personal("the staff member who acted"),
        "staff_name": not_personal("the name of the staff member who acted"),
        "summary": _role(Category.COMMUNICATIONS),
        "transcript": _role(Category.COMMUNICATIONS),
        "browser": _role(Category.TECHNICAL),
        "operating_system": _role(Category.TECHNICAL),
        "referrer": _role(Category.TECHNICAL),
        "created_at": not_personal("bookkeeping of the row"),
    },
)

declare(
    ApiClient,
    subject=None,
    fields={
        "name": not_personal("an integration, not a person"),
        "user": not_personal("the integration's service user"),
        "token_prefix": not_personal("an integration's credential"),
        "token_hash": not_personal("an integration's credential"),
        "scopes": not_personal("an integration's rights"),
        "is_active": not_personal("an integration's state"),
        "expires_at": not_personal("an integration's credential"),
        "issued_at": not_personal("an integration's credential"),
        "created_at": not_personal("bookkeeping of the row"),
        "last_used_at": not_personal("an integration's use"),
    },
)

declare(
    ImportJob,
    subject=None,
    fields={
        "file_name": not_personal("the name of the uploaded file"),
        "content": transient(
            Category.CONTACT,
            purpose=CUSTOMER_RELATIONSHIP,
            max_days=7,
            reason="an uploaded contact file, cleared when the import ends",
        ),
        "encoding": not_personal("how the file was read"),
        "uploaded_by": not_personal("the staff member who imported"),
        "status": not_personal("the job's state"),
        "mapping": not_personal("which column is which field"),
        "skip_invalid": not_personal("the staff member's choice"),
        "total_rows": not_personal("a count"),
        "created_count": not_personal("a count"),
        "updated_count": not_personal("a count"),
        "skipped_count": not_personal("a count"),
        "failure": not_personal("why the job failed, without row contents"),
        "created_at": not_personal("bookkeeping of the row"),
        "queued_at": not_personal("when the import was confirmed"),
        "finished_at": not_personal("bookkeeping of the row"),
    },
)

# The tombstone of a merged duplicate. Older merges into the duplicate move to the kept person.
declare(
    ContactMerge,
    subject="survivor",
    erase=RowErasure.DELETE,
    merge=MergeRule.MOVE,
    fields={
        "survivor": subject_link(),
        "merged_contact_id": merged_subject_id(),
        # Kept so that a system that still sends the old address finds the kept person.
        "merged_email": personal(
            Category.CONTACT, purpose=CUSTOMER_RELATIONSHIP, retention=WHILE_CUSTOMER
        ),
        # A copy of the duplicate's name, contact details and provenance: it holds what those
        # Contact fields hold (identity, contact details, register metadata).
        "merged_values": personal_copy(Contact, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD),
        "merged_by": not_personal("the staff member who merged"),
        "merged_at": personal(Category.RECORD, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD),
    },
)
