"""The controller's purposes of processing and retention rules, named once.

Field declarations refer to these objects; the register description and the Art. 30 record are
built from the ones in use. Change a period here and every job and report follows.
"""

from django.utils.translation import gettext_lazy as _

from .declarations import LegalBasis, Purpose, RetentionRule

# --- Purposes ---------------------------------------------------------------------------------
CUSTOMER_RELATIONSHIP = Purpose(
    code="customer_relationship",
    name=_("Customer and stakeholder relationships"),
    legal_bases=(LegalBasis.CONTRACT, LegalBasis.LEGITIMATE_INTEREST),
    description=_(
        "Managing the relationship with customers, potential customers and stakeholder "
        "organisations and their contact persons: service, support, sales and contracts. The "
        "basis is the contract with a customer, and the controller's legitimate interest in "
        "keeping in touch for potential customers, stakeholders and organisations' contact "
        "persons."
    ),
)
MARKETING = Purpose(
    code="marketing",
    name=_("Marketing communications"),
    legal_bases=(LegalBasis.CONSENT,),
    description=_("Newsletters and marketing to people who have consented to them."),
)
EVENTS = Purpose(
    code="events",
    name=_("Events and training"),
    legal_bases=(LegalBasis.CONTRACT, LegalBasis.LEGITIMATE_INTEREST),
    description=_("Registrations, arrangements and follow-up of events and training."),
)
ACCOUNTING = Purpose(
    code="accounting",
    name=_("Invoicing and bookkeeping"),
    legal_bases=(LegalBasis.LEGAL_OBLIGATION,),
    description=_("Invoicing paid events and services as the Accounting Act requires."),
)
ACCOUNTABILITY = Purpose(
    code="accountability",
    name=_("Accountability of the register"),
    legal_bases=(LegalBasis.LEGAL_OBLIGATION,),
    description=_(
        "Recording where each piece of data came from and when, so that the controller can show "
        "that the processing is lawful (GDPR Art. 5(2) and 14)."
    ),
)

# --- Retention rules --------------------------------------------------------------------------
WHILE_CUSTOMER = RetentionRule(
    code="while_customer",
    name=_("For the customer relationship"),
    description=_(
        "Kept for as long as the customer or stakeholder relationship lasts and erased two years "
        "after it ends; for a potential customer, two years after the last contact. Erased "
        "earlier when the person asks and nothing legally prevents it."
    ),
    period_days=2 * 365,
)
UNTIL_CONSENT_WITHDRAWN = RetentionRule(
    code="until_consent_withdrawn",
    name=_("Until consent is withdrawn"),
    description=_("Kept until the person withdraws consent or the consent expires."),
)
EVENT_FOLLOW_UP = RetentionRule(
    code="event_follow_up",
    name=_("For the event and its follow-up"),
    description=_(
        "Event-specific data (answers, networking choices, check-in notes, the link from a "
        "registration to the person) is erased when the number of days the event's organiser "
        "set has passed after the event ended (180 unless set otherwise); statistics are kept "
        "anonymised."
    ),
    period_days=180,
    after_event="retention_days",
)
ACCOUNTING_ACT = RetentionRule(
    code="accounting_act",
    name=_("Accounting Act period"),
    description=_(
        "Accounting vouchers are kept for six years from the end of the financial year in which "
        "the financial period ended."
    ),
    period_days=6 * 365 + 365,
    law=_("Accounting Act (Kirjanpitolaki 1336/1997), chapter 2, section 10"),
    # An event's billing details: until the end of the sixth year after the year it ended.
    years_after_event_year=6,
)
WITH_THE_RECORD = RetentionRule(
    code="with_the_record",
    name=_("As long as the record it describes"),
    description=_("Kept with the record it describes and erased with it."),
)
AUDIT_TRAIL = RetentionRule(
    code="audit_trail",
    name=_("Audit trail period"),
    description=_(
        "Audit entries (who saw or changed what, and when) are kept for the period set by the "
        "controller (two years unless it has set another) and then deleted. Erasing a person "
        "removes the values about them from the entries earlier."
    ),
    period_days=730,
    setting="AUDIT_RETENTION_DAYS",
)
CONSENT_EVIDENCE = RetentionRule(
    code="consent_evidence",
    name=_("Proof of consent"),
    description=_(
        "The record of a consent (when and how it was given, on which wording, and when it was "
        "withdrawn or expired) is kept while the consent is valid and for three years after its "
        "last change, so that the controller can prove the consent (GDPR Art. 7(1)) and defend "
        "a claim within the limitation period; then a scheduled job deletes it. Erasing the "
        "person does not remove it earlier."
    ),
    period_days=3 * 365,
    law=_("GDPR Art. 7(1) and 17(3)(e); Act on the Limitation of Debts (728/2003), section 4"),
)
RIGHTS_REQUESTS = RetentionRule(
    code="rights_requests",
    name=_("Record of rights requests"),
    description=_(
        "A record that a person exercised a right (which right, when it was received, when and "
        "how it was answered) is kept for three years after receipt so that the controller can "
        "show it answered in time (GDPR Art. 5(2) and 12) and defend a claim within the "
        "limitation period. Erasing the person removes their address and free text from it; "
        "the anonymised record stays."
    ),
    period_days=3 * 365,
    law=_("GDPR Art. 5(2) and 12(3); Act on the Limitation of Debts (728/2003), section 4"),
)
SUPPRESSION_LIST = RetentionRule(
    code="suppression_list",
    name=_("Suppression list"),
    description=_(
        "After an erasure or an objection to direct marketing, a keyed hash of the email "
        "address (no address in clear) is kept for as long as the register is used for "
        "marketing, so that a later import or integration cannot put the person back on a "
        "marketing list (GDPR Art. 17 and 21(3))."
    ),
)
