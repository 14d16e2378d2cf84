"""What crm's models hold about people: the one declaration of each field."""

from privacy.declarations import Category, Erasure, declare, not_personal, personal, subject_link
from privacy.policy import ACCOUNTABILITY, CUSTOMER_RELATIONSHIP, WHILE_CUSTOMER, WITH_THE_RECORD

from .models import Contact, Membership, Municipality, Organisation

# Erasing a person anonymises the contact row instead of deleting it: event statistics and
# records under a legal hold keep pointing at an anonymous row rather than at nothing.
_anonymise = Erasure.replace("")


def _customer(category, erasure=_anonymise, **kw):
    return personal(
        category, purpose=CUSTOMER_RELATIONSHIP, retention=WHILE_CUSTOMER, erasure=erasure, **kw
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
    Organisation,
    subject=None,
    fields={
        "name": not_personal("a legal person"),
        "business_id": not_personal("a legal person"),
        "municipality": not_personal("a legal person"),
        "relationship": not_personal("a legal person"),
        "created_at": not_personal("bookkeeping of the row"),
        "updated_at": not_personal("bookkeeping of the row"),
    },
)

declare(
    Contact,
    subject="",
    fields={
        "first_name": _customer(Category.IDENTITY),
        "last_name": _customer(Category.IDENTITY),
        "email": _customer(Category.CONTACT),
        "phone": _customer(Category.CONTACT),
        "municipality": _customer(Category.CONTACT, erasure=Erasure.replace(None)),
        "preferred_language": _customer(Category.CONTACT, erasure=Erasure.replace("fi")),
        "subject_category": personal(
            Category.RECORD,
            purpose=ACCOUNTABILITY,
            retention=WITH_THE_RECORD,
            erasure=_anonymise,
        ),
        "source": personal(
            Category.RECORD,
            purpose=ACCOUNTABILITY,
            retention=WITH_THE_RECORD,
            erasure=_anonymise,
        ),
        "source_detail": personal(
            Category.RECORD, purpose=ACCOUNTABILITY, retention=WITH_THE_RECORD, erasure=_anonymise
        ),
        "collected_at": personal(
            Category.RECORD,
            purpose=ACCOUNTABILITY,
            retention=WITH_THE_RECORD,
            erasure=Erasure.replace(None),
        ),
        "created_at": not_personal("bookkeeping of the row"),
        "updated_at": not_personal("bookkeeping of the row"),
    },
)

declare(
    Membership,
    subject="contact",
    fields={
        "contact": subject_link(),
        "organisation": _customer(Category.ORGANISATION_ROLE, erasure=Erasure.delete_row()),
        "job_title": _customer(Category.ORGANISATION_ROLE, erasure=Erasure.delete_row()),
        "work_email": _customer(Category.CONTACT, erasure=Erasure.delete_row()),
        "work_phone": _customer(Category.CONTACT, erasure=Erasure.delete_row()),
        "start_date": _customer(Category.ORGANISATION_ROLE, erasure=Erasure.delete_row()),
        "end_date": _customer(Category.ORGANISATION_ROLE, erasure=Erasure.delete_row()),
    },
)
