"""Consents: what a consent is for (Purpose and its topics), the exact words it was given on
(ConsentText, versioned), the append-only ledger of every change (ConsentEvent), the current
state derived from it (ConsentState), sign-ups waiting for their double opt-in (PendingSignUp),
and newsletters (Mailing, MailingRecipient).

Every field is declared in consent/personal_data.py. Every change goes through
consent/services.py.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from crm.models import Contact, text_validators
from privacy.declarations import LegalBasis

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,49}$",
    _("Use lower-case letters, digits and hyphens (e.g. training-newsletter)."),
    code="invalid_code",
)


def in_language(row, prefix: str, language: str | None = None) -> str:
    """``row.<prefix>_<language>``, falling back to Finnish (always filled) then English."""
    language = (language or get_language() or "fi")[:2]
    return (
        getattr(row, f"{prefix}_{language}", "")
        or getattr(row, f"{prefix}_fi", "")
        or getattr(row, f"{prefix}_en", "")
    )


class Purpose(models.Model):
    """What a consent is for: a newsletter, event invitations, sharing with event partners."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    name_fi = models.CharField(_("name in Finnish"), max_length=200, validators=text_validators)
    name_sv = models.CharField(
        _("name in Swedish"), max_length=200, blank=True, validators=text_validators
    )
    name_en = models.CharField(
        _("name in English"), max_length=200, blank=True, validators=text_validators
    )
    description_fi = models.TextField(
        _("description in Finnish"), blank=True, validators=text_validators
    )
    description_sv = models.TextField(
        _("description in Swedish"), blank=True, validators=text_validators
    )
    description_en = models.TextField(
        _("description in English"), blank=True, validators=text_validators
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=30, choices=LegalBasis, default=LegalBasis.CONSENT
    )
    is_marketing = models.BooleanField(
        _("marketing"),
        default=True,
        help_text=_(
            "Direct marketing: an objection withdraws it, and its mails can be unsubscribed."
        ),
    )
    validity_days = models.PositiveIntegerField(
        _("valid for (days)"),
        default=730,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("A consent expires this many days after it was given or renewed."),
    )
    renewal_days = models.PositiveIntegerField(
        _("renewal reminder (days before expiry)"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("0: no renewal reminder."),
    )
    active = models.BooleanField(_("open for sign-up"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent purpose")
        verbose_name_plural = _("consent purposes")
        ordering = ["code"]
        permissions = [
            ("export_audience", _("Can export the audience of a purpose")),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")

    @property
    def description(self) -> str:
        return in_language(self, "description")

    def current_text(self) -> ConsentText | None:
        return self.texts.order_by("-version").first()


class Topic(models.Model):
    """A subject of a purpose's newsletter that a person may choose (e.g. "Training dates")."""

    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.CASCADE, related_name="topics"
    )
    code = models.CharField(_("code"), max_length=50, validators=[code_validator])
    name_fi = models.CharField(_("name in Finnish"), max_length=200, validators=text_validators)
    name_sv = models.CharField(
        _("name in Swedish"), max_length=200, blank=True, validators=text_validators
    )
    name_en = models.CharField(
        _("name in English"), max_length=200, blank=True, validators=text_validators
    )

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["purpose", "code"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "code"], name="consent_topic_code_unique")
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")


class ConsentText(models.Model):
    """The exact words a person consents to. Never changed: new wording is a new version, and
    every ledger row names the version it was given on (GDPR Art. 7(1): prove what was agreed)."""

    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="texts"
    )
    version = models.PositiveIntegerField(_("version"))
    text_fi = models.TextField(_("text in Finnish"), validators=text_validators)
    text_sv = models.TextField(_("text in Swedish"), blank=True, validators=text_validators)
    text_en = models.TextField(_("text in English"), blank=True, validators=text_validators)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "version"], name="consent_text_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.purpose} v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(_("A consent text is never changed: publish a new version."))
        super().save(*args, **kwargs)

    @property
    def text(self) -> str:
        return in_language(self, "text")


class AppendOnlyError(Exception):
    """A ledger row (or a consent text) was about to be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses the set-based ways of changing rows: the ledger is appended to, never rewritten.

    The evidence purge (consent.services.consent_evidence_purge) deletes rows whose retention has
    ended through its own SQL, which the database trigger lets through only when it says so."""

    def update(self, **kwargs):
        if not kwargs:
            return 0  # nothing to write (erasure keeps every ledger field under its legal hold)
        raise AppendOnlyError(_("The consent ledger is append-only: rows are never updated."))

    def delete(self):
        raise AppendOnlyError(_("The consent ledger is append-only: rows are never deleted."))

    _raw_delete = delete


class ConsentEvent(models.Model):
    """One change of a person's consent: the ledger. Rows are only ever added.

    Enforced here (save/delete and the queryset) and on PostgreSQL by a trigger that refuses
    UPDATE and DELETE (migration 0002). A merge appends copies under the kept person
    (``merged_from``); the originals stay under the merged duplicate's id, so the link to the
    person has no database constraint and is never cascaded.
    """

    class Kind(models.TextChoices):
        GIVEN = "given", _("Given")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        RENEWED = "renewed", _("Renewed")
        TOPICS_CHANGED = "topics_changed", _("Topics changed")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Privacy portal")
        WEB_FORM = "web_form", _("Web form")
        API = "api", _("API client")
        IMPORT = "import", _("Import")
        STAFF = "staff", _("Staff")
        UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
        PREFERENCES = "preferences", _("Preference page")
        RENEWAL_LINK = "renewal_link", _("Renewal link")
        OBJECTION = "objection", _("Objection to direct marketing")
        SYSTEM = "system", _("System (scheduled job)")
        MERGE = "merge", _("Merge of duplicates")

    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.ForeignKey(
        ConsentText,
        verbose_name=_("text version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("change"), max_length=20, choices=Kind)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    source = models.CharField(_("source"), max_length=20, choices=Source)
    source_detail = models.CharField(
        _("source detail"),
        max_length=200,
        blank=True,
        help_text=_("The API client's or the staff member's name, the import's file."),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True, validators=text_validators)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    merged_from = models.BigIntegerField(_("copied from merged contact"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent ledger entry")
        verbose_name_plural = _("consent ledger")
        ordering = ["at", "pk"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["contact", "purpose", "at"], name="consent_ledger_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.purpose_id} {self.at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(_("The consent ledger is append-only: rows are never updated."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("The consent ledger is append-only: rows are never deleted."))


class ConsentState(models.Model):
    """The current state of one (person, purpose), derived from the ledger and written in the
    same transaction as the ledger row that changed it (consent.services). Audiences read this.
    """

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="states"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status)
    text = models.ForeignKey(
        ConsentText,
        verbose_name=_("text version"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="+")
    given_at = models.DateTimeField(_("given or renewed"), null=True)
    expires_at = models.DateTimeField(_("expires"), null=True)
    # The expiry whose renewal reminder was sent: one reminder per consent period.
    renewal_sent_for = models.DateTimeField(_("renewal reminder sent for"), null=True)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "purpose"], name="consent_state_one_per_purpose"
            )
        ]
        indexes = [
            models.Index(fields=["purpose", "status", "expires_at"], name="consent_state_due_idx")
        ]

    def __str__(self):
        return f"{self.purpose}: {self.get_status_display()}"

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.VALID and (
            self.expires_at is None or self.expires_at > now
        )


class PendingSignUp(models.Model):
    """A web sign-up waiting for its double opt-in. It is not a consent: nothing is in the
    ledger until the person opens the confirmation link. Removed after 7 days (or on confirm)."""

    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.CASCADE, related_name="+"
    )
    text = models.ForeignKey(
        ConsentText, verbose_name=_("text version"), on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(_("email"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Contact.Language)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=ConsentEvent.Source,
        default=ConsentEvent.Source.WEB_FORM,
    )
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    # A new nonce on every sign-up: an older confirmation link stops working.
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    mailed_at = models.DateTimeField(_("confirmation mailed"), null=True)

    class Meta:
        verbose_name = _("unconfirmed sign-up")
        verbose_name_plural = _("unconfirmed sign-ups")
        constraints = [
            models.UniqueConstraint(fields=["email", "purpose"], name="consent_signup_unique")
        ]

    def __str__(self):
        return f"{self.email} – {self.purpose}"


class Mailing(models.Model):
    """A newsletter to the people whose consent for ``purpose`` is valid (and who chose one of
    ``topics``, when any are picked). Subject and body per language; the body is plain text and
    is sent as plain text and as simple HTML."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    purpose = models.ForeignKey(
        Purpose,
        verbose_name=_("purpose"),
        on_delete=models.PROTECT,
        related_name="mailings",
        limit_choices_to={"is_marketing": True},
    )
    topics = models.ManyToManyField(
        Topic,
        verbose_name=_("topics"),
        blank=True,
        related_name="+",
        help_text=_("Only people who chose one of these topics; none: everyone in the purpose."),
    )
    subject_fi = models.CharField(
        _("subject in Finnish"), max_length=200, validators=text_validators
    )
    subject_sv = models.CharField(
        _("subject in Swedish"), max_length=200, blank=True, validators=text_validators
    )
    subject_en = models.CharField(
        _("subject in English"), max_length=200, blank=True, validators=text_validators
    )
    body_fi = models.TextField(_("text in Finnish"), validators=text_validators)
    body_sv = models.TextField(_("text in Swedish"), blank=True, validators=text_validators)
    body_en = models.TextField(_("text in English"), blank=True, validators=text_validators)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    sent_count = models.PositiveIntegerField(_("sent"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created_at"]
        permissions = [("send_mailing", _("Can send a mailing"))]

    def __str__(self):
        return self.subject_fi

    def subject_in(self, language: str) -> str:
        return in_language(self, "subject", language)

    def body_in(self, language: str) -> str:
        return in_language(self, "body", language)


class MailingRecipient(models.Model):
    """One person of a mailing's audience, claimed by the sending job before their mail goes:
    a person is mailed at most once per mailing, even when the job is killed and run again.

    Kept under a merged duplicate's id (a person merged after a mailing may have two rows for
    it, which must not collide), so the link has no database constraint."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (consent no longer valid)")

    mailing = models.ForeignKey(
        Mailing, verbose_name=_("mailing"), on_delete=models.CASCADE, related_name="recipients"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PENDING)
    claimed_at = models.DateTimeField(_("claimed"), null=True)
    sent_at = models.DateTimeField(_("sent"), null=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("mailing recipient")
        verbose_name_plural = _("mailing recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "contact"], name="consent_mailing_once_per_person"
            )
        ]
        indexes = [models.Index(fields=["mailing", "status"], name="consent_recipient_status_idx")]

    def __str__(self):
        return f"{self.mailing_id} → {self.contact_id}"
