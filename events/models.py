"""Events: what is organised (Event and its Questions), who registered (Registration, Answer,
BillingDetails for paid events), who the data may go to (Recipient) and went to (Disclosure,
DisclosedPerson), and the shredder's log (ShredRun).

Every field is declared in events/personal_data.py; every change goes through events/services.py.
The statistics of an event survive its shredding: a registration keeps, from the moment it is
made, the non-identifying dimensions the statistics count by (``stat_*``), and the shredder then
removes the link to the person and the event-specific personal data.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from consent.models import in_language
from crm.models import ApiClient, Contact, Municipality, Organisation, text_validators

from .validators import (
    compact,
    einvoice_business_digits,
    validate_business_id,
    validate_einvoice_address,
    validate_reference,
    validate_vat_number,
)

slug_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,79}$",
    _("Use lower-case letters, digits and hyphens (e.g. spring-seminar-2026)."),
    code="invalid_slug",
)


def new_key() -> str:
    return secrets.token_urlsafe(16)


#: The registration fields a recipient may be given: a fixed, documented set (code, label).
#: A recipient's ``fields`` lists codes from here; the export reads the values by code.
RECIPIENT_FIELDS = {
    "first_name": _("first name"),
    "last_name": _("last name"),
    "email": _("email"),
    "phone": _("phone"),
    "organisation": _("organisation"),
    "title": _("job title"),
    "municipality": _("municipality"),
    "language": _("language"),
    "status": _("registration status"),
    "registered_at": _("registered"),
}


class Event(models.Model):
    """An event people register for. The organiser unit and its contact person are shown on the
    event page: the organiser is responsible for the event's data."""

    slug = models.SlugField(
        _("address name"), max_length=80, unique=True, validators=[slug_validator]
    )
    title_fi = models.CharField(_("title in Finnish"), max_length=200, validators=text_validators)
    title_sv = models.CharField(
        _("title in Swedish"), max_length=200, blank=True, validators=text_validators
    )
    title_en = models.CharField(
        _("title in English"), max_length=200, blank=True, validators=text_validators
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
    organiser_unit = models.CharField(
        _("organiser unit"), max_length=200, validators=text_validators
    )
    contact_name = models.CharField(_("contact person"), max_length=200, validators=text_validators)
    contact_email = models.EmailField(_("contact person's email"))
    contact_phone = PhoneNumberField(_("contact person's phone"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=300, blank=True, validators=text_validators)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text=_("Registrations beyond this go to the waiting list."),
    )
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    is_published = models.BooleanField(_("published"), default=False)
    price = models.DecimalField(
        _("price (EUR, VAT included)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("0: a free event. A paid event asks for billing details."),
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("25.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    networking_offered = models.BooleanField(
        _("networking list offered"),
        default=False,
        help_text=_(
            "Participants who consent see each other's names, organisations and the contact "
            "details they choose to share."
        ),
    )
    retention_days = models.PositiveIntegerField(
        _("event data kept (days after the event)"),
        default=180,
        validators=[MaxValueValidator(3650)],
        help_text=_(
            "After this many days from the end of the event, answers, networking choices and "
            "check-in notes are removed and registrations anonymised; statistics stay."
        ),
    )
    shredded_at = models.DateTimeField(_("event data removed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="events_event_ends_after_start",
                violation_error_message=_("The event cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="events_event_registration_window",
                violation_error_message=_("Registration must close after it opens."),
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="events_event_capacity_positive"
            ),
        ]
        permissions = [
            ("view_participants", _("Can view an event's participants")),
            ("check_in", _("Can check participants in")),
            ("send_to_recipient", _("Can send participant data to a recipient")),
            ("shred_event", _("Can remove an event's data")),
        ]

    def __str__(self):
        return self.title_fi

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def description(self) -> str:
        return in_language(self, "description")

    @property
    def is_paid(self) -> bool:
        return self.price > 0

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.is_published
            and self.shredded_at is None
            and self.registration_opens_at <= now < self.registration_closes_at
        )


class Question(models.Model):
    """A question of an event's registration form."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        SINGLE_CHOICE = "single_choice", _("One choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Several choices")
        YES_NO = "yes_no", _("Yes or no")
        DATE = "date", _("Date")

    CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.TEXT)
    text_fi = models.CharField(_("question in Finnish"), max_length=300, validators=text_validators)
    text_sv = models.CharField(
        _("question in Swedish"), max_length=300, blank=True, validators=text_validators
    )
    text_en = models.CharField(
        _("question in English"), max_length=300, blank=True, validators=text_validators
    )
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    sensitive = models.BooleanField(
        _("sensitive (GDPR Art. 9)"),
        default=False,
        help_text=_(
            "Answers may reveal health, beliefs or other special categories (e.g. dietary "
            "needs): an answer is accepted only with the explicit consent next to the question."
        ),
    )
    consent_text_fi = models.TextField(
        _("consent wording in Finnish"), blank=True, validators=text_validators
    )
    consent_text_sv = models.TextField(
        _("consent wording in Swedish"), blank=True, validators=text_validators
    )
    consent_text_en = models.TextField(
        _("consent wording in English"), blank=True, validators=text_validators
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["event", "order", "pk"]

    def __str__(self):
        return self.text_fi

    @property
    def text(self) -> str:
        return in_language(self, "text")

    @property
    def consent_text(self) -> str:
        return in_language(self, "consent_text")

    def clean(self):
        if self.sensitive and self.required:
            raise ValidationError(
                {
                    "required": _(
                        "A sensitive question cannot be required: its explicit consent must be "
                        "freely given, so the person may leave it unanswered."
                    )
                }
            )
        if self.sensitive and not self.consent_text_fi:
            raise ValidationError(
                {
                    "consent_text_fi": _(
                        "A sensitive question needs the wording of its explicit consent."
                    )
                }
            )


class Choice(models.Model):
    """One option of a single- or multiple-choice question."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    label_fi = models.CharField(_("label in Finnish"), max_length=200, validators=text_validators)
    label_sv = models.CharField(
        _("label in Swedish"), max_length=200, blank=True, validators=text_validators
    )
    label_en = models.CharField(
        _("label in English"), max_length=200, blank=True, validators=text_validators
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "order", "pk"]

    def __str__(self):
        return self.label_fi

    @property
    def label(self) -> str:
        return in_language(self, "label")


class Registration(models.Model):
    """A person's registration for an event.

    ``contact`` is emptied by the event data shredder (which also removes the answers,
    networking choices and check-in note); the ``stat_*`` fields, written when the registration
    is made, are what the event's statistics count by afterwards.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")

    ACTIVE = (Status.CONFIRMED, Status.WAITING, Status.ATTENDED)

    class Source(models.TextChoices):
        PUBLIC_FORM = "public_form", _("Public registration form")
        API = "api", _("API client")
        STAFF = "staff", _("Staff")

    class Relationship(models.TextChoices):
        NONE = "none", _("No organisation")
        POTENTIAL = "potential", _("Potential customer")
        CUSTOMER = "customer", _("Customer")
        PARTNER = "partner", _("Partner")
        STAKEHOLDER = "stakeholder", _("Stakeholder")
        FORMER = "former", _("Former customer")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="registrations"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now, null=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source)
    api_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("API client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Contact.Language, default=Contact.Language.FI
    )
    # As the person gave them with this registration (the register's roles are not changed by
    # a public form): what the participant list, recipients and the networking list show.
    organisation_name = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=text_validators
    )
    job_title = models.CharField(
        _("job title"), max_length=200, blank=True, validators=text_validators
    )
    networking = models.BooleanField(_("on the networking list"), default=False)
    share_email = models.BooleanField(_("shares email on the networking list"), default=False)
    share_phone = models.BooleanField(_("shares phone on the networking list"), default=False)
    share_organisation = models.BooleanField(
        _("shares organisation on the networking list"), default=False
    )
    partner_consent = models.BooleanField(_("consented to the event's partners"), default=False)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    check_in_note = models.CharField(
        _("check-in note"), max_length=500, blank=True, validators=text_validators
    )
    # The random part of the person's signed view/cancel and networking links: the shredder
    # replaces it, so that links mailed earlier stop working.
    link_key = models.CharField(max_length=32, default=new_key, editable=False)
    # Statistics dimensions, written at registration (see the class docstring).
    stat_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality (statistics)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    stat_relationship = models.CharField(
        _("organisation relationship (statistics)"),
        max_length=20,
        choices=Relationship,
        default=Relationship.NONE,
    )
    stat_registered_on = models.DateField(_("registration day (statistics)"), null=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "contact"],
                condition=models.Q(status__in=["confirmed", "waiting", "attended"])
                & models.Q(contact__isnull=False),
                name="events_one_active_registration",
                violation_error_message=_("This person is already registered for the event."),
            )
        ]
        indexes = [
            models.Index(fields=["event", "status", "registered_at"], name="events_reg_queue_idx")
        ]

    def __str__(self):
        return f"{self.event} – {self.contact or _('(anonymised)')}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @staticmethod
    def relationship_of(organisation: Organisation | None) -> str:
        if organisation is None:
            return Registration.Relationship.NONE
        return organisation.relationship


class Answer(models.Model):
    """A registration's answer to one question. Which of the value fields is used follows the
    question's kind: ``text`` (text, long text), ``choices`` (single and multiple choice),
    ``yes_no``, ``date``."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    text = models.TextField(_("text"), blank=True, validators=text_validators)
    choices = models.ManyToManyField(
        Choice, verbose_name=_("choices"), blank=True, related_name="+"
    )
    yes_no = models.BooleanField(_("yes or no"), null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    # When the person ticked the explicit consent of a sensitive question (GDPR Art. 9(2)(a)).
    sensitive_consent_at = models.DateTimeField(_("explicit consent given"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "question"], name="events_one_answer_per_question"
            )
        ]

    def __str__(self):
        return f"{self.question}: {self.display()}"

    def display(self, language: str | None = None) -> str:
        kind = self.question.kind
        if kind in Question.CHOICE_KINDS:
            return ", ".join(in_language(c, "label", language) for c in self.choices.all())
        if kind == Question.Kind.YES_NO:
            return "" if self.yes_no is None else str(_("Yes") if self.yes_no else _("No"))
        if kind == Question.Kind.DATE:
            return self.date.isoformat() if self.date else ""
        return self.text


class BillingDetails(models.Model):
    """Who pays for a registration to a paid event and where the invoice goes.

    Accounting vouchers: kept under the Accounting Act for six years from the end of the year
    they were made in, through erasure and event shredding; removed when the hold ends.
    """

    class PayerKind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    registration = models.OneToOneField(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.PROTECT,
        related_name="billing",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    payer_kind = models.CharField(_("payer"), max_length=20, choices=PayerKind)
    payer_name = models.CharField(_("payer's name"), max_length=200, validators=text_validators)
    organisation_name = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=text_validators
    )
    street_address = models.CharField(
        _("street address"), max_length=200, blank=True, validators=text_validators
    )
    postal_code = models.CharField(
        _("postal code"), max_length=12, blank=True, validators=text_validators
    )
    city = models.CharField(_("city"), max_length=100, blank=True, validators=text_validators)
    country = CountryField(_("country"), default="FI")
    business_id = models.CharField(
        _("business ID (Y-tunnus)"), max_length=9, blank=True, validators=[validate_business_id]
    )
    vat_number = models.CharField(
        _("VAT number"), max_length=20, blank=True, validators=[validate_vat_number]
    )
    einvoice_address = models.CharField(
        _("e-invoicing address (OVT)"),
        max_length=17,
        blank=True,
        validators=[validate_einvoice_address],
    )
    einvoice_operator = models.CharField(
        _("e-invoicing operator"),
        max_length=35,
        blank=True,
        validators=text_validators,
        help_text=_("The operator's identifier (e.g. 003721291126 or a BIC)."),
    )
    reference = models.CharField(
        _("reference"), max_length=35, blank=True, validators=[validate_reference]
    )
    amount = models.DecimalField(_("amount (EUR, VAT included)"), max_digits=10, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=4, decimal_places=2)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("billing details")
        verbose_name_plural = _("billing details")

    def __str__(self):
        return f"{self.payer_name} ({self.amount} €)"

    def clean(self):
        errors = {}
        if self.payer_kind == self.PayerKind.ORGANISATION:
            if not self.organisation_name:
                errors["organisation_name"] = _("Enter the organisation's name.")
            if not self.business_id and not self.vat_number:
                errors["business_id"] = _(
                    "Enter the organisation's business ID (or a VAT number for a foreign one)."
                )
        if self.einvoice_address and not self.einvoice_operator:
            errors["einvoice_operator"] = _("Enter the e-invoicing operator's identifier.")
        if self.einvoice_operator and not self.einvoice_address:
            errors["einvoice_address"] = _("Enter the e-invoicing address (OVT).")
        if not self.einvoice_address and not (
            self.street_address and self.postal_code and self.city
        ):
            errors.setdefault(
                "street_address",
                _("Enter the billing address, or an e-invoicing address and operator."),
            )
        ovt_digits = einvoice_business_digits(self.einvoice_address)
        if ovt_digits and self.business_id and compact(self.business_id) != ovt_digits:
            errors["einvoice_address"] = _(
                "The e-invoicing address does not match the business ID: after 0037 come the "
                "business ID's eight digits."
            )
        if errors:
            raise ValidationError(errors)


class Recipient(models.Model):
    """A named third party of an event that may receive some of its participants' data."""

    class Kind(models.TextChoices):
        CATERER = "caterer", _("Caterer")
        ACCOMMODATION = "accommodation", _("Accommodation")
        TRANSPORT = "transport", _("Transport")
        PARTNER = "partner", _("Partner")
        OTHER = "other", _("Other")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="recipients"
    )
    name = models.CharField(_("name"), max_length=200, validators=text_validators)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    email = models.EmailField(_("contact email"), blank=True)
    fields = models.JSONField(
        _("registration fields it may receive"),
        default=list,
        blank=True,
        help_text=_("Codes from events.models.RECIPIENT_FIELDS."),
    )
    questions = models.ManyToManyField(
        Question,
        verbose_name=_("questions whose answers it may receive"),
        blank=True,
        related_name="recipients",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["event", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if not isinstance(self.fields, list) or any(f not in RECIPIENT_FIELDS for f in self.fields):
            raise ValidationError(
                {"fields": _("Choose the fields from the list of registration fields.")}
            )


class Disclosure(models.Model):
    """One time an event's participant data was sent to a recipient: the disclosure log."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="disclosures"
    )
    recipient = models.ForeignKey(
        Recipient,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="disclosures",
    )
    recipient_name = models.CharField(
        _("recipient's name"), max_length=200, validators=text_validators
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # Kept when the staff account is deleted, like crm Interaction.staff_name.
    sent_by_name = models.CharField(
        _("sent by (name)"), max_length=300, blank=True, validators=text_validators
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    fields = models.JSONField(_("fields"), default=list)
    questions = models.JSONField(
        _("questions"), default=list, help_text=_("[{id, text}] of the questions included.")
    )
    people_count = models.PositiveIntegerField(_("people"), default=0)
    format = models.CharField(_("format"), max_length=10, default="csv")

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosure log")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"{self.recipient_name} {self.sent_at:%Y-%m-%d}"


class DisclosedPerson(models.Model):
    """A person whose data a disclosure included: their access report lists it."""

    disclosure = models.ForeignKey(
        Disclosure, verbose_name=_("disclosure"), on_delete=models.CASCADE, related_name="people"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="+"
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("disclosed person")
        verbose_name_plural = _("disclosed people")
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "contact"], name="events_disclosed_once")
        ]

    def __str__(self):
        return f"{self.disclosure_id} → {self.contact_id}"


class ShredRun(models.Model):
    """One run of the event data shredder: what it removed, when, and who or what started it."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        STAFF = "staff", _("Staff")

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")
        #: Its worker was killed: the counts are true up to its last committed batch.
        INTERRUPTED = "interrupted", _("Interrupted")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="shred_runs"
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    trigger = models.CharField(_("started by"), max_length=20, choices=Trigger)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    triggered_by_name = models.CharField(
        _("staff member's name"), max_length=300, blank=True, validators=text_validators
    )
    removed = models.JSONField(
        _("removed"), default=dict, blank=True, help_text=_("Counts per model and field.")
    )
    state = models.CharField(_("state"), max_length=20, choices=State, default=State.RUNNING)

    class Meta:
        verbose_name = _("shredder run")
        verbose_name_plural = _("shredder runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.event} {self.started_at:%Y-%m-%d %H:%M}"
