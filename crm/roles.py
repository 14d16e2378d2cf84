"""Staff roles: Django groups with explicit permissions, created and kept in step by migrations.

The table in README.md ("Roles") says the same in words; tests/crm/test_roles.py enforces it
against every admin model. A migration calls ``sync_roles`` whenever this file changes.
"""

from django.utils.translation import gettext_lazy as _

SALES = "Myynti"
MARKETING = "Markkinointi"
EVENT_ORGANISER = "Tapahtumajärjestäjä"
SUPPORT = "Asiakastuki"
DPO = "Tietosuojavastaava"
ADMINISTRATOR = "Pääkäyttäjä"

LABELS = {
    SALES: _("Sales"),
    MARKETING: _("Marketing"),
    EVENT_ORGANISER: _("Event organiser"),
    SUPPORT: _("Support"),
    DPO: _("Data protection officer"),
    ADMINISTRATOR: _("Administrator"),
}


def _crud(model: str, *actions: str) -> list[str]:
    return [f"crm.{action}_{model}" for action in actions]


def _consent(model: str, *actions: str) -> list[str]:
    return [f"consent.{action}_{model}" for action in actions]


# Seeing a person's consents and recording one given on paper or by phone (a ledger row; the
# ledger is never changed or deleted), and reading what each consent is for and the wording the
# person agreed to (a ledger row links to both).
_CONSENT_LEDGER = [
    *_consent("consentevent", "view", "add"),
    *_consent("consentstate", "view"),
    *_consent("purpose", "view"),
    *_consent("topic", "view"),
    *_consent("consenttext", "view"),
]
# Marketing runs the consents: purposes, topics and their texts, newsletters, audiences.
_CONSENT_MARKETING = [
    *_consent("purpose", "view", "add", "change"),
    *_consent("topic", "view", "add", "change", "delete"),
    *_consent("consenttext", "view", "add"),
    *_consent("mailing", "view", "add", "change"),
    *_CONSENT_LEDGER,
    "consent.send_mailing",
    "consent.export_audience",
]


def _events(model: str, *actions: str) -> list[str]:
    return [f"events.{action}_{model}" for action in actions]


# Running events: the events with their questions, choices and recipients, the participant list
# and check-in, exports and sending lists to recipients (each logged), the disclosure log and
# the shredder (preview and hand run) with its log.
_EVENTS_ORGANISE = [
    *_events("event", "view", "add", "change"),
    *_events("question", "view", "add", "change"),
    *_events("choice", "view", "add", "change", "delete"),
    *_events("recipient", "view", "add", "change", "delete"),
    *_events("registration", "view", "add", "change"),
    *_events("disclosure", "view"),
    *_events("shredrun", "view"),
    "events.view_participants",
    "events.check_in",
    "events.send_to_recipient",
    "events.shred_event",
]

# The register descriptions, the breach register and the DPO's reports (privacy/admin_reports.py).
_PRIVACY_REPORTS = [
    *[f"privacy.{a}_register" for a in ("view", "add", "change", "delete")],
    *[f"privacy.{a}_registertext" for a in ("view", "add", "change", "delete")],
    *[f"privacy.{a}_breach" for a in ("view", "add", "change")],
    "privacy.view_reports",
]

_VIEW_REGISTER = [
    *_crud("contact", "view"),
    *_crud("organisation", "view"),
    *_crud("membership", "view"),
]

# Rights requests (privacy portal): the DPO and the Administrator see them and act on them.
_RIGHTS_REQUESTS = [
    "privacy.view_rightsrequest",
    "privacy.add_rightsrequest",
    "privacy.verify_rightsrequest",
    "privacy.extend_rightsrequest",
    "privacy.reject_rightsrequest",
    "privacy.complete_rightsrequest",
    "privacy.decide_rectification",
    "privacy.approve_erasure",
    "privacy.view_restriction",
    "privacy.lift_restriction",
    "privacy.view_suppression",
    "privacy.delete_suppression",
]

ROLES: dict[str, list[str]] = {
    SALES: [
        *_crud("contact", "view", "add", "change"),
        *_crud("organisation", "view", "add", "change"),
        *_crud("membership", "view", "add", "change", "delete"),
        *_crud("interaction", "view", "add", "change"),
        "crm.import_contacts",
        "crm.merge_contacts",
        *_CONSENT_LEDGER,
        # Which events are on and how they went (statistics hold no personal data).
        *_events("event", "view"),
    ],
    MARKETING: [*_VIEW_REGISTER, *_CONSENT_MARKETING],
    EVENT_ORGANISER: [
        *_crud("contact", "view", "add", "change"),
        *_crud("organisation", "view"),
        *_crud("membership", "view"),
        *_EVENTS_ORGANISE,
    ],
    SUPPORT: [
        *_crud("contact", "view", "change"),
        *_crud("organisation", "view"),
        *_crud("membership", "view"),
        *_crud("interaction", "view", "add", "change"),
        *_CONSENT_LEDGER,
    ],
    DPO: [
        *_VIEW_REGISTER,
        *_crud("interaction", "view"),
        *_crud("apiclient", "view"),
        *_consent("purpose", "view"),
        *_consent("topic", "view"),
        *_consent("consenttext", "view"),
        *_consent("consentevent", "view"),
        *_consent("consentstate", "view"),
        *_consent("mailing", "view"),
        "auditlog.view_logentry",
        # What went to which third party, about whom, and what the shredder removed.
        *_events("event", "view"),
        *_events("disclosure", "view"),
        *_events("disclosedperson", "view"),
        *_events("shredrun", "view"),
        *_RIGHTS_REQUESTS,
        *_PRIVACY_REPORTS,
    ],
    ADMINISTRATOR: [
        *_crud("contact", "view", "add", "change"),
        *_crud("organisation", "view", "add", "change", "delete"),
        *_crud("membership", "view", "add", "change", "delete"),
        *_crud("interaction", "view", "add", "change", "delete"),
        *_crud("apiclient", "view", "add", "change"),
        "crm.import_contacts",
        "crm.merge_contacts",
        *_CONSENT_MARKETING,
        *_EVENTS_ORGANISE,
        "auditlog.view_logentry",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        *_RIGHTS_REQUESTS,
        *_PRIVACY_REPORTS,
    ],
}


def sync_roles(apps, schema_editor=None) -> None:
    """Create the groups and set exactly the permissions above (usable in a migration)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True  # historical apps: let create_permissions run
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        wanted = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            try:
                wanted.append(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
            except Permission.DoesNotExist:
                if _not_in_this_migration_state(apps, app_label, codename):
                    continue  # the migration that creates the model syncs the roles again
                raise LookupError(f"Role {name}: no permission {dotted}") from None
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(wanted)


def _not_in_this_migration_state(apps, app_label: str, codename: str) -> bool:
    """A permission whose model (view_x, add_x ...) or whose Meta.permissions entry a later
    migration adds; that migration syncs the roles again. Anything else missing is a typo."""
    action, _sep, model_name = codename.partition("_")
    if action in {"view", "add", "change", "delete"}:
        try:
            apps.get_model(app_label, model_name)
        except LookupError:
            return True
        return False
    try:
        app_models = apps.get_app_config(app_label).get_models()
    except LookupError:
        return True  # the app has no models yet in this state (its first migration syncs)
    declared = {name for model in app_models for name, _label in model._meta.permissions}
    return codename not in declared
