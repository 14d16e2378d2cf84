"""The people and organisations in the register.

Every field here is declared in crm/personal_data.py; the privacy.E001 check fails when one is
not. Interactions, imports and the rest of the CRM build on these.
"""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from .validators import validate_business_id


class Municipality(models.Model):
    """A Finnish municipality (kunta) with its official code, synced from crm/data/."""

    code = models.CharField(_("code"), max_length=3, unique=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=100)
    name_sv = models.CharField(_("name in Swedish"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name_fi"]

    def __str__(self):
        from django.utils.translation import get_language

        return self.name_sv if (get_language() or "").startswith("sv") else self.name_fi


class Organisation(models.Model):
    class Relationship(models.TextChoices):
        POTENTIAL = "potential", _("Potential customer")
        CUSTOMER = "customer", _("Customer")
        PARTNER = "partner", _("Partner")
        STAKEHOLDER = "stakeholder", _("Stakeholder")
        FORMER = "former", _("Former customer")

    name = models.CharField(_("name"), max_length=200)
    business_id = models.CharField(
        _("business ID (Y-tunnus)"), max_length=9, blank=True, validators=[validate_business_id]
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    relationship = models.CharField(
        _("relationship"), max_length=20, choices=Relationship, default=Relationship.POTENTIAL
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["business_id"],
                condition=~models.Q(business_id=""),
                name="organisation_business_id_unique",
                violation_error_message=_("An organisation with this business ID exists."),
            )
        ]

    def __str__(self):
        return self.name


class Contact(models.Model):
    """A person in the register: the data subject whose rights the privacy portal serves."""

    class Language(models.TextChoices):
        FI = "fi", _("Finnish")
        SV = "sv", _("Swedish")
        EN = "en", _("English")

    class SubjectCategory(models.TextChoices):
        POTENTIAL_CUSTOMER = "potential_customer", _("Potential customer")
        CUSTOMER = "customer", _("Customer")
        CONTACT_PERSON = "contact_person", _("Contact person of an organisation")
        STAKEHOLDER = "stakeholder", _("Stakeholder")
        EVENT_PARTICIPANT = "event_participant", _("Event participant")

    class Source(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        EVENT_REGISTRATION = "event_registration", _("Event registration")
        IMPORT = "import", _("Import from a file")
        API = "api", _("Integration (API client)")
        STAFF = "staff", _("Entered by staff")
        THIRD_PARTY = "third_party", _("Third party")
        DEMO = "demo", _("Demo data")

    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality of residence"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language, default=Language.FI
    )
    subject_category = models.CharField(
        _("data subject category"),
        max_length=30,
        choices=SubjectCategory,
        default=SubjectCategory.POTENTIAL_CUSTOMER,
    )
    source = models.CharField(_("source"), max_length=30, choices=Source, default=Source.STAFF)
    source_detail = models.CharField(
        _("source detail"),
        max_length=200,
        blank=True,
        help_text=_("The file name, API client or third party the data came from."),
    )
    collected_at = models.DateTimeField(_("collected"), default=timezone.now, null=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="contact_email_unique_ci",
                violation_error_message=_("A contact with this email address exists."),
            )
        ]
        indexes = [models.Index(fields=["last_name", "first_name"], name="contact_name_idx")]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip() or _("(erased)")

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A person's role in an organisation: the B2B contact details live here."""

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    work_email = models.EmailField(_("work email"), blank=True)
    work_phone = PhoneNumberField(_("work phone"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="membership_dates_in_order",
                violation_error_message=_("The end date cannot be before the start date."),
            )
        ]

    def __str__(self):
        return f"{self.contact} – {self.organisation}"
