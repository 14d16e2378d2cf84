"""Privacy models: the people an access entry shows, rights requests with their transitions and
identity links, restrictions of processing and the suppression list. The declarations framework
lives in declarations.py; the workflow in requests.py."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("restriction of processing")
        verbose_name_plural = _("restrictions of processing")

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
