"""What consent's models hold about people: the one declaration of each field.

The ledger is evidence (GDPR Art. 7(1): the controller must be able to prove consent), so
erasing a person keeps it under the CONSENT_EVIDENCE hold and the evidence purge deletes it when
the hold ends; it is never rewritten, so a merge appends copies under the kept person
(``consent.services.ledger_merge_append``), which also rebuilds the kept person's current state.
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
    transient,
)
from privacy.policy import CONSENT_EVIDENCE, MARKETING, UNTIL_CONSENT_WITHDRAWN

from .models import (
    ConsentEvent,
    ConsentState,
    ConsentText,
    Mailing,
    MailingRecipient,
    PendingSignUp,
    Purpose,
    Topic,
)


def _ledger_merge_append(**kwargs):
    # consent.services imports these models and the declarations' registry is filled while the
    # models load: imported when a merge runs, not at start-up.
    from .services import ledger_merge_append

    ledger_merge_append(**kwargs)


_CONFIGURATION = "the controller's configuration, about no person"

declare(
    Purpose,
    subject=None,
    fields={
        name: not_personal(_CONFIGURATION)
        for name in (
            "code",
            "name_fi",
            "name_sv",
            "name_en",
            "description_fi",
            "description_sv",
            "description_en",
            "legal_basis",
            "is_marketing",
            "validity_days",
            "renewal_days",
            "active",
            "created_at",
        )
    },
)
declare(
    Topic,
    subject=None,
    fields={
        name: not_personal(_CONFIGURATION)
        for name in ("purpose", "code", "name_fi", "name_sv", "name_en")
    },
)
declare(
    ConsentText,
    subject=None,
    fields={
        name: not_personal(_CONFIGURATION)
        for name in ("purpose", "version", "text_fi", "text_sv", "text_en", "created_at")
    },
)


def _evidence(category=Category.CONSENT):
    return personal(
        category,
        purpose=MARKETING,
        retention=CONSENT_EVIDENCE,
        erasure=Erasure.keep(
            law=CONSENT_EVIDENCE.law, period_days=CONSENT_EVIDENCE.period_days, counted_from="at"
        ),
    )


declare(
    ConsentEvent,
    subject="contact",
    erase=RowErasure.ANONYMISE,
    merge=MergeRule.APPEND,
    merge_append=_ledger_merge_append,
    fields={
        "contact": subject_link(),
        "purpose": _evidence(),
        "text": _evidence(),
        "kind": _evidence(),
        "at": _evidence(),
        "source": _evidence(),
        "source_detail": _evidence(),
        "ip_address": _evidence(Category.TECHNICAL),
        "user_agent": _evidence(Category.TECHNICAL),
        "note": _evidence(Category.COMMUNICATIONS),
        "topics": _evidence(),
        "valid_until": _evidence(),
        "merged_from": not_personal("the id of a merged duplicate's row, kept with the copy"),
    },
)


def _choice():
    return personal(Category.CONSENT, purpose=MARKETING, retention=UNTIL_CONSENT_WITHDRAWN)


# The current state is derived from the ledger: erasure deletes it (the ledger keeps the proof).
declare(
    ConsentState,
    subject="contact",
    erase=RowErasure.DELETE,
    merge=MergeRule.MOVE,
    fields={
        "contact": subject_link(),
        "purpose": _choice(),
        "status": _choice(),
        "text": _choice(),
        "topics": _choice(),
        "given_at": _choice(),
        "expires_at": _choice(),
        "renewal_sent_for": _choice(),
        "changed_at": _choice(),
    },
)

_SIGN_UP = "a web sign-up waiting for its confirmation; removed after 7 days"

declare(
    PendingSignUp,
    subject=None,
    fields={
        "purpose": not_personal("which purpose the sign-up is for"),
        "text": not_personal("which wording was shown"),
        "email": transient(Category.CONTACT, purpose=MARKETING, max_days=7, reason=_SIGN_UP),
        "first_name": transient(Category.IDENTITY, purpose=MARKETING, max_days=7, reason=_SIGN_UP),
        "last_name": transient(Category.IDENTITY, purpose=MARKETING, max_days=7, reason=_SIGN_UP),
        "language": transient(Category.CONTACT, purpose=MARKETING, max_days=7, reason=_SIGN_UP),
        "topics": transient(Category.CONSENT, purpose=MARKETING, max_days=7, reason=_SIGN_UP),
        "source": not_personal("the door the sign-up came through"),
        "source_detail": not_personal("the integration's name"),
        "ip_address": transient(Category.TECHNICAL, purpose=MARKETING, max_days=7, reason=_SIGN_UP),
        "user_agent": transient(Category.TECHNICAL, purpose=MARKETING, max_days=7, reason=_SIGN_UP),
        "nonce": not_personal("a random value that ends older confirmation links"),
        "created_at": not_personal("bookkeeping of the row"),
        "mailed_at": not_personal("bookkeeping of the row"),
    },
)

declare(
    Mailing,
    subject=None,
    fields={
        name: not_personal("a newsletter, written by staff to many people")
        for name in (
            "purpose",
            "topics",
            "subject_fi",
            "subject_sv",
            "subject_en",
            "body_fi",
            "body_sv",
            "body_en",
            "status",
            "created_by",
            "sent_by",
            "created_at",
            "started_at",
            "finished_at",
            "recipient_count",
            "sent_count",
            "failed_count",
        )
    },
)


def _sent():
    return personal(Category.COMMUNICATIONS, purpose=MARKETING, retention=CONSENT_EVIDENCE)


# Who a newsletter went to: how the consent was used. Kept under a merged duplicate's id.
declare(
    MailingRecipient,
    subject="contact",
    erase=RowErasure.DELETE,
    merge=MergeRule.KEEP,
    fields={
        "contact": subject_link(),
        "mailing": _sent(),
        "status": _sent(),
        "claimed_at": _sent(),
        "sent_at": _sent(),
        "error": _sent(),
    },
)
