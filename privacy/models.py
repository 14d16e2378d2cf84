"""Privacy models: who was shown on a page, the register descriptions and the breach register.
The declarations framework lives in declarations.py."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
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
        help_text=_("One a line: role, name and contact details."),
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
