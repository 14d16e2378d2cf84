"""Privacy models: the people an access entry shows, rights requests with their transitions and
identity links, restrictions of processing and the suppression list, the register descriptions
and the breach register. The declarations framework lives in declarations.py; the request
workflow in requests.py, the reports in registers.py and reports.py."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import text_validators


class AccessedPerson(models.Model):
    """A person an access entry names: one row per person shown in one page view.

    A list page of fifty people, an API page or an organisation's page showing its contact
    persons writes ONE audit entry (who, when, from where, which page) and one of these rows per
    person shown, so "who has seen me" is still answered per person (``privacy.selectors``
    finds the entry through this row) without fifty copies of the same entry.

    The link to the person has no database constraint: a merged duplicate's rows stay under
    its id (the merge tombstone maps it), as the audit entries about it do.
    """

    entry = models.ForeignKey(
        "auditlog.LogEntry",
        verbose_name=_("audit entry"),
        on_delete=models.CASCADE,
        related_name="people_shown",
    )
    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("contact"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("person shown")
        verbose_name_plural = _("people shown")

    def __str__(self) -> str:
        return f"#{self.contact_id} @ {self.entry_id}"


class DataExport(models.Model):
    """One copy of a person's data made for an access or portability request (privacy.export).

    The ZIP lies in ``PRIVACY_EXPORT_ROOT`` under ``file_name`` (a random name, never served by
    the web server); only the SHA-256 of the download token is stored, the token itself is in
    the person's mail. The link works once and until ``expires_at``: fetching it sets
    ``fetched_at`` and removes the file; the purge job removes expired files (``deleted_at``).
    """

    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("contact"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    request = models.ForeignKey(
        "privacy.RightsRequest",
        verbose_name=_("rights request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exports",
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    file_name = models.CharField(_("file name"), max_length=100, unique=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    fetched_at = models.DateTimeField(_("fetched"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("file deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        indexes = [models.Index(fields=["deleted_at", "expires_at"], name="privacy_export_live")]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.created_at:%Y-%m-%d})"


LANGUAGE_CHOICES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]


class Register(models.Model):
    """A register description (rekisteriseloste / tietosuojaseloste): what the controller tells
    people about one register (GDPR Art. 13, 14 and 30(1)).

    What the system already knows is not typed here: the personal-data fields the register
    covers, their categories and retention come from the declarations (``apps`` and
    ``categories`` select them), the legal bases from the ``purposes`` chosen among
    ``privacy.policy``'s; the texts in each language are in ``RegisterText`` (a language without
    a text is a language the notice is not available in). ``privacy.registers`` builds the
    report's content from both; ``dump_register``/``load_register`` carry it as YAML.
    """

    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        validators=text_validators,
        help_text=_("The name the commands use (register_report NAME)."),
    )
    slug = models.SlugField(
        _("address name"), max_length=80, unique=True, help_text=_("/privacy/register/<slug>/")
    )
    controller_name = models.CharField(
        _("controller"), max_length=200, blank=True, help_text=_("Empty: CONTROLLER_NAME.")
    )
    controller_address = models.CharField(
        _("controller's address"),
        max_length=300,
        blank=True,
        help_text=_("Empty: CONTROLLER_ADDRESS."),
    )
    controller_business_id = models.CharField(
        _("business ID"), max_length=20, blank=True, help_text=_("Empty: CONTROLLER_BUSINESS_ID.")
    )
    controller_phone = models.CharField(
        _("controller's phone"),
        max_length=40,
        blank=True,
        help_text=_("Empty: CONTROLLER_PHONE."),
    )
    controller_email = models.EmailField(
        _("email for privacy matters"), blank=True, help_text=_("Empty: PRIVACY_CONTACT_EMAIL.")
    )
    contact_persons = models.TextField(
        _("contact persons for register matters"),
        blank=True,
        validators=text_validators,
        help_text=_(
            "One a line: role, name and contact details. Printed in every language unless the "
            "register's text in that language has its own list."
        ),
    )
    dpo_name = models.CharField(
        _("data protection officer"), max_length=200, blank=True, validators=text_validators
    )
    dpo_email = models.EmailField(_("data protection officer's email"), blank=True)
    dpo_phone = models.CharField(_("data protection officer's phone"), max_length=40, blank=True)
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    apps = models.JSONField(
        _("covered apps"),
        default=list,
        blank=True,
        help_text=_("Every declared personal-data field of these apps belongs to the register."),
    )
    categories = models.JSONField(
        _("covered categories"),
        default=list,
        blank=True,
        help_text=_("Every declared personal-data field of these categories belongs to it."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("register description")
        verbose_name_plural = _("register descriptions")
        ordering = ["name"]
        permissions = [("view_reports", "Can print the DPO's reports")]

    def __str__(self):
        return self.name


class RegisterText(models.Model):
    """A register description's texts in one language. Missing texts of a section are replaced
    by the standard statement where the law allows one (no transfers, no profiling)."""

    register = models.ForeignKey(
        Register, verbose_name=_("register"), on_delete=models.CASCADE, related_name="texts"
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    title = models.CharField(_("name of the register"), max_length=300, validators=text_validators)
    description = models.TextField(
        _("purposes in the register's words"), blank=True, validators=text_validators
    )
    subject_groups = models.TextField(
        _("data subject groups"),
        validators=text_validators,
        help_text=_("One a line."),
    )
    sources = models.TextField(_("sources of data"), validators=text_validators)
    contact_persons = models.TextField(
        _("contact persons in this language"),
        blank=True,
        validators=text_validators,
        help_text=_(
            "One a line: role, name and contact details, the role in this language. Empty: the "
            "register's own list."
        ),
    )
    disclosures = models.TextField(
        _("regular disclosures and recipients"),
        blank=True,
        validators=text_validators,
        help_text=_("Empty: data is not disclosed regularly. Event recipients are added."),
    )
    transfers = models.TextField(
        _("transfers outside the EU/EEA and their safeguards"),
        blank=True,
        validators=text_validators,
        help_text=_("Empty: the statement that data is not transferred outside the EU/EEA."),
    )
    retention = models.TextField(
        _("retention in the register's words"), blank=True, validators=text_validators
    )
    security_electronic = models.TextField(
        _("security of electronic material"), validators=text_validators
    )
    security_manual = models.TextField(
        _("security of manual material"),
        blank=True,
        validators=text_validators,
        help_text=_("Empty: the register has no manual material."),
    )
    profiling = models.TextField(
        _("automated decisions and profiling"),
        blank=True,
        validators=text_validators,
        help_text=_("Empty: the statement that there are none."),
    )

    class Meta:
        verbose_name = _("register text")
        verbose_name_plural = _("register texts")
        ordering = ["register", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "language"], name="privacy_registertext_one_per_language"
            )
        ]

    def __str__(self):
        return f"{self.register} ({self.language})"


class Breach(models.Model):
    """A personal data breach: the controller's record of it (GDPR Art. 33(5)).

    The supervisory authority is to be notified within 72 hours of discovery unless the breach
    is unlikely to result in a risk (then ``not_notified_reason`` says why); the admin counts the
    hours down and ``privacy.breach_deadline_warn`` mails the DPO role as the deadline nears.
    """

    discovered_at = models.DateTimeField(_("discovered"))
    nature = models.TextField(_("nature of the breach"), validators=text_validators)
    categories = models.JSONField(_("categories of personal data"), default=list, blank=True)
    people_affected = models.PositiveIntegerField(_("people affected (approx.)"), default=0)
    records_affected = models.PositiveIntegerField(_("records affected (approx.)"), default=0)
    consequences = models.TextField(
        _("likely consequences"), blank=True, validators=text_validators
    )
    measures = models.TextField(
        _("measures taken or proposed"), blank=True, validators=text_validators
    )
    authority_notified_at = models.DateTimeField(_("authority notified"), null=True, blank=True)
    not_notified_reason = models.TextField(
        _("why the authority is not notified"),
        blank=True,
        validators=text_validators,
        help_text=_("Only when the breach is unlikely to result in a risk (Art. 33(1))."),
    )
    people_informed_at = models.DateTimeField(_("people informed"), null=True, blank=True)
    not_informed_reason = models.TextField(
        _("why the people are not informed"), blank=True, validators=text_validators
    )
    recorded_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    # When the deadline mails went out: each is sent once (the beat job claims it).
    warned_near_at = models.DateTimeField(_("deadline reminder sent"), null=True, blank=True)
    warned_overdue_at = models.DateTimeField(_("overdue reminder sent"), null=True, blank=True)

    #: The deadline for notifying the supervisory authority (GDPR Art. 33(1)).
    NOTIFY_WITHIN = datetime.timedelta(hours=72)

    class Meta:
        verbose_name = _("personal data breach")
        verbose_name_plural = _("personal data breaches")
        ordering = ["-discovered_at"]

    def __str__(self):
        return f"{self.discovered_at:%Y-%m-%d %H:%M} {self.nature[:60]}"

    @property
    def notify_by(self) -> datetime.datetime:
        return self.discovered_at + self.NOTIFY_WITHIN

    @property
    def awaits_notification(self) -> bool:
        return self.authority_notified_at is None and not self.not_notified_reason

    def clean(self):
        from .declarations import Category

        errors = {}
        if not isinstance(self.categories, list) or any(
            c not in Category.values for c in self.categories
        ):
            errors["categories"] = _("Choose the categories from the list.")
        notified, discovered = self.authority_notified_at, self.discovered_at
        if notified and discovered and notified < discovered:
            errors["authority_notified_at"] = _("The notification cannot precede the discovery.")
        if self.people_informed_at and self.not_informed_reason:
            errors["not_informed_reason"] = _("The people were informed: no reason is needed.")
        if errors:
            raise ValidationError(errors)


# --- Rights requests (GDPR Art. 12–22) ---------------------------------------------------------


class RightsRequest(models.Model):
    """A person's request to exercise a right: the one record of its deadline and outcome.

    Filed on the public portal (identity proven by a single-use link to the address, see
    ``PortalLink``) or recorded by staff for a letter, a call or a visit (``identity_check`` says
    how staff checked who the person is). The workflow (``privacy.requests``) moves it through
    ``State`` and logs every move as a ``RequestTransition``.

    ``contact`` is the person found by the verified address; it stays empty while the identity is
    unproven and when the address is in no record. Erasing the person keeps the row as an
    anonymised accountability record (type, dates, outcome) — see privacy/personal_data.py.
    """

    class Type(models.TextChoices):
        ACCESS = "access", _("Access (see my data)")
        PORTABILITY = "portability", _("Portability (download my data)")
        RECTIFICATION = "rectification", _("Rectification (correct my data)")
        ERASURE = "erasure", _("Erasure (erase my data)")
        RESTRICTION = "restriction", _("Restriction of processing")
        OBJECTION = "objection", _("Objection to direct marketing")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        IDENTITY_VERIFIED = "identity_verified", _("Identity verified")
        IN_PROGRESS = "in_progress", _("In progress")
        EXTENDED = "extended", _("Extended")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Privacy portal")
        LETTER = "letter", _("Letter")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        EMAIL = "email", _("Email")

    type = models.CharField(_("right"), max_length=20, choices=Type)
    state = models.CharField(
        _("state"), max_length=20, choices=State, default=State.RECEIVED, db_index=True
    )
    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rights_requests",
    )
    email = models.EmailField(_("email as given"), max_length=254, blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=[("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))],
        default="fi",
    )
    channel = models.CharField(
        _("received by"), max_length=20, choices=Channel, default=Channel.PORTAL
    )
    identity_check = models.CharField(
        _("how the identity was checked"),
        max_length=500,
        blank=True,
        help_text=_("For a request staff record: e.g. 'passport shown at the office'."),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("due"), db_index=True)
    extended_until = models.DateTimeField(_("extended until"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extension_notice_sent_at = models.DateTimeField(
        _("extension notice sent"), null=True, blank=True
    )
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    job_queued_at = models.DateTimeField(_("job queued"), null=True, blank=True)
    job_started_at = models.DateTimeField(_("job started"), null=True, blank=True)
    job_finished_at = models.DateTimeField(_("job finished"), null=True, blank=True)
    payload = models.JSONField(
        _("details"),
        default=dict,
        blank=True,
        help_text=_("Type-specific details, e.g. the proposed corrections and their decision."),
    )

    class Meta:
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["state", "due_at"], name="privacy_request_due_idx")]
        permissions = [
            ("verify_rightsrequest", _("Can mark a rights request's identity as verified")),
            ("extend_rightsrequest", _("Can extend a rights request's deadline")),
            ("reject_rightsrequest", _("Can reject a rights request")),
            ("complete_rightsrequest", _("Can complete a rights request")),
            ("decide_rectification", _("Can accept or reject proposed corrections")),
            ("approve_erasure", _("Can approve an erasure after its preview")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_type_display()} ({self.get_state_display()})"

    @property
    def deadline(self):
        """The date the answer is due: the extended date when extended, else one month."""
        return self.extended_until or self.due_at

    @property
    def is_open(self) -> bool:
        return self.state not in (self.State.COMPLETED, self.State.REJECTED)


class RequestTransition(models.Model):
    """One move of a rights request from a state to another: who (staff or the person), when."""

    request = models.ForeignKey(
        RightsRequest,
        verbose_name=_("rights request"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_state = models.CharField(_("from"), max_length=20, choices=RightsRequest.State, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=RightsRequest.State)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.CharField(
        _("actor"),
        max_length=200,
        blank=True,
        help_text=_("The staff member's name, 'the person' or 'system (job name)'."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("request transition")
        verbose_name_plural = _("request transitions")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} → {self.to_state}"


class PortalLink(models.Model):
    """A single-use link mailed to prove the person holds the address of a request.

    Only a SHA-256 hash of the random token is stored, so a copy of the database opens nothing.
    Bound to one request; valid ``PRIVACY_LINK_MINUTES`` (30); ``used_at`` is set when opened.
    """

    class Purpose(models.TextChoices):
        VERIFY = "verify", _("Identity proof")
        REMINDER = "reminder", _("Identity proof (reminder)")

    request = models.ForeignKey(
        RightsRequest,
        verbose_name=_("rights request"),
        on_delete=models.CASCADE,
        related_name="links",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose, default="verify")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal link")
        verbose_name_plural = _("portal links")

    def __str__(self) -> str:
        return f"{self.request_id} {self.purpose}"


class Restriction(models.Model):
    """Processing of the person's data is restricted (GDPR Art. 18): they are out of every
    audience, imports do not reactivate them and staff see a banner; storage continues."""

    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="restrictions",
    )
    since = models.DateTimeField(_("since"), default=timezone.now)
    request = models.ForeignKey(
        RightsRequest,
        verbose_name=_("rights request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    #: Who lifted it (the staff member's name, kept if their account goes) and why.
    lifted_by = models.CharField(_("lifted by"), max_length=200, blank=True)
    lift_reason = models.TextField(_("why it was lifted"), blank=True)

    class Meta:
        verbose_name = _("restriction of processing")
        verbose_name_plural = _("restrictions of processing")
        ordering = ["-since", "-pk"]
        permissions = [("lift_restriction", _("Can lift a restriction of processing"))]

    def __str__(self) -> str:
        return f"#{self.contact_id} since {self.since:%Y-%m-%d}"


class Suppression(models.Model):
    """An address that must never again be put on a marketing list (after erasure or an
    objection), kept as a keyed hash only.

    ``email_hash`` is HMAC-SHA256 of the normalised address with ``settings.SUPPRESSION_KEY``
    (``privacy.suppression.email_hash``). No address is kept in clear: the list can answer "is
    this address suppressed?" for an address someone presents, but cannot be read back into
    addresses without the key.
    """

    class Reason(models.TextChoices):
        ERASURE = "erasure", _("Erasure")
        OBJECTION = "objection", _("Objection to direct marketing")

    email_hash = models.CharField(_("address hash"), max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppression list")

    def __str__(self) -> str:
        return f"{self.email_hash[:12]}… ({self.get_reason_display()})"
