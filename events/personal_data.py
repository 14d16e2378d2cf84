"""What events' models hold about people: the one declaration of each field.

The event data shredder (events.shredder) reads these declarations to decide what to remove once
an event's retention period has passed: the rows of models that erasure deletes go (answers,
disclosed-person rows), the replaceable fields of a registration are replaced (networking
choices, check-in note, times), and what is kept under a legal hold (billing details under the
Accounting Act) stays until the hold ends. The ``not_personal`` fields of a registration are the
statistics dimensions that survive: once the link to the person is gone they name no one.
"""

from privacy.declarations import (
    Category,
    Erasure,
    MergeRule,
    RowErasure,
    declare,
    not_personal,
    personal,
    subject_link,
)
from privacy.policy import ACCOUNTING, ACCOUNTING_ACT, EVENT_FOLLOW_UP, EVENTS

from .models import (
    Answer,
    BillingDetails,
    Choice,
    DisclosedPerson,
    Disclosure,
    Event,
    Question,
    Recipient,
    Registration,
    ShredRun,
)

_CONFIGURATION = "the event's configuration, about no person in the register"

declare(
    Event,
    subject=None,
    fields={
        **{
            name: not_personal(_CONFIGURATION)
            for name in (
                "slug",
                "title_fi",
                "title_sv",
                "title_en",
                "description_fi",
                "description_sv",
                "description_en",
                "organiser_unit",
                "starts_at",
                "ends_at",
                "venue",
                "capacity",
                "registration_opens_at",
                "registration_closes_at",
                "is_published",
                "price",
                "vat_rate",
                "networking_offered",
                "retention_days",
                "shredded_at",
                "created_at",
                "updated_at",
            )
        },
        **{
            name: not_personal(
                "the organiser's contact person: a staff member's work contact details, "
                "published on the event page"
            )
            for name in ("contact_name", "contact_email", "contact_phone")
        },
    },
)
declare(
    Question,
    subject=None,
    fields={
        name: not_personal(_CONFIGURATION)
        for name in (
            "event",
            "kind",
            "text_fi",
            "text_sv",
            "text_en",
            "required",
            "order",
            "sensitive",
            "consent_text_fi",
            "consent_text_sv",
            "consent_text_en",
        )
    },
)
declare(
    Choice,
    subject=None,
    fields={
        name: not_personal(_CONFIGURATION)
        for name in ("question", "label_fi", "label_sv", "label_en", "order")
    },
)


def _participation(category=Category.PARTICIPATION, erasure=None, sensitive=False):
    return personal(
        category,
        purpose=EVENTS,
        retention=EVENT_FOLLOW_UP,
        erasure=erasure,
        sensitive=sensitive,
    )


_STATISTICS = (
    "a statistics dimension of the event (written at registration); kept when the registration "
    "is anonymised, when it no longer names anyone"
)

declare(
    Registration,
    subject="contact",
    erase=RowErasure.ANONYMISE,
    merge=MergeRule.MOVE,
    fields={
        "contact": subject_link(),
        "event": not_personal(_STATISTICS),
        "status": not_personal(_STATISTICS),
        "stat_municipality": not_personal(_STATISTICS),
        "stat_relationship": not_personal(_STATISTICS),
        "stat_registered_on": not_personal(_STATISTICS),
        "source": not_personal("the door the registration came through"),
        "api_client": not_personal("the integration the registration came through"),
        "link_key": not_personal("a random value of the person's links, replaced to end them"),
        "anonymised_at": not_personal("when the shredder or erasure anonymised the row"),
        "registered_at": _participation(erasure=Erasure.replace(None)),
        "cancelled_at": _participation(erasure=Erasure.replace(None)),
        "language": _participation(Category.CONTACT, erasure=Erasure.replace("fi")),
        "organisation_name": _participation(
            Category.ORGANISATION_ROLE, erasure=Erasure.replace("")
        ),
        "job_title": _participation(Category.ORGANISATION_ROLE, erasure=Erasure.replace("")),
        "networking": _participation(Category.CONSENT, erasure=Erasure.replace(False)),
        "share_email": _participation(Category.CONSENT, erasure=Erasure.replace(False)),
        "share_phone": _participation(Category.CONSENT, erasure=Erasure.replace(False)),
        "share_organisation": _participation(Category.CONSENT, erasure=Erasure.replace(False)),
        "partner_consent": _participation(Category.CONSENT, erasure=Erasure.replace(False)),
        "checked_in_at": _participation(erasure=Erasure.replace(None)),
        "check_in_note": _participation(Category.COMMUNICATIONS, erasure=Erasure.replace("")),
    },
)

# An answer may reveal a special category (dietary needs: health or belief), so every value is
# declared sensitive; a sensitive question's answer is stored only with its explicit consent.
declare(
    Answer,
    subject="registration__contact",
    erase=RowErasure.DELETE,
    merge=MergeRule.MOVE,
    fields={
        "registration": _participation(),
        "question": _participation(),
        "text": _participation(sensitive=True),
        "choices": _participation(sensitive=True),
        "yes_no": _participation(sensitive=True),
        "date": _participation(sensitive=True),
        "sensitive_consent_at": _participation(Category.CONSENT),
    },
)


def _voucher():
    return personal(
        Category.FINANCIAL,
        purpose=ACCOUNTING,
        retention=ACCOUNTING_ACT,
        erasure=Erasure.keep(
            law=ACCOUNTING_ACT.law,
            period_years=6,
            from_end_of_year=True,
            counted_from="created_at",
        ),
    )


declare(
    BillingDetails,
    subject="contact",
    erase=RowErasure.ANONYMISE,
    merge=MergeRule.MOVE,
    fields={
        "contact": subject_link(),
        "registration": not_personal("the registration the voucher is for"),
        **{
            name: _voucher()
            for name in (
                "payer_kind",
                "payer_name",
                "organisation_name",
                "street_address",
                "postal_code",
                "city",
                "country",
                "business_id",
                "vat_number",
                "einvoice_address",
                "einvoice_operator",
                "reference",
                "amount",
                "vat_rate",
                "created_at",
            )
        },
    },
)

declare(
    Recipient,
    subject=None,
    fields={
        name: not_personal("a third party of the event (a company), not a person in the register")
        for name in ("event", "name", "kind", "email", "fields", "questions", "created_at")
    },
)
declare(
    Disclosure,
    subject=None,
    fields={
        **{
            name: not_personal("the disclosure log: what went where, about no one person")
            for name in (
                "event",
                "recipient",
                "recipient_name",
                "sent_at",
                "fields",
                "questions",
                "people_count",
                "format",
            )
        },
        "sent_by": not_personal("the staff member who sent it"),
        "sent_by_name": not_personal("the name of the staff member who sent it"),
    },
)
# The people a disclosure included: the person's access report lists these rows.
declare(
    DisclosedPerson,
    subject="contact",
    erase=RowErasure.DELETE,
    merge=MergeRule.MOVE,
    fields={
        "contact": subject_link(),
        "disclosure": _participation(),
        "registration": _participation(),
    },
)
declare(
    ShredRun,
    subject=None,
    fields={
        name: not_personal("the shredder's log, about no one person")
        for name in (
            "event",
            "started_at",
            "finished_at",
            "trigger",
            "triggered_by",
            "triggered_by_name",
            "removed",
            "state",
        )
    },
)
