"""The people and organisations in the register.

Every field here is declared in crm/personal_data.py; the privacy.E001 check fails when one is
not. Interactions, imports and the rest of the CRM build on these.
"""

import hashlib

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from .validators import validate_business_id, validate_no_personal_identity_code

# Every free-text field: PostgreSQL refuses NUL characters (model validation does not check for
# them, only form fields do), and this register must not hold personal identity codes.
text_validators = [ProhibitNullCharactersValidator(), validate_no_personal_identity_code]
postal_code_validator = RegexValidator(
    r"^\d{5}$", _("Enter a Finnish postal code of five digits."), code="invalid_postal_code"
)


def normalise_email(value: str | None) -> str:
    """Addresses are stored trimmed and in lower case: matching (imports, the API, search,
    duplicates) compares them as they are stored."""
    return (value or "").strip().lower()


def _localised(fi: str, sv: str, en: str = "") -> str:
    language = (get_language() or "fi")[:2]
    return {"sv": sv, "en": en or fi}.get(language, fi) or fi


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
        return _localised(self.name_fi, self.name_sv)


class Industry(models.Model):
    """A TOL 2008 section (A-U) or division (01-99), synced from crm/data/tol2008.csv."""

    class Level(models.TextChoices):
        SECTION = "section", _("Section")
        DIVISION = "division", _("Division")

    code = models.CharField(_("code"), max_length=2, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=Level)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="divisions",
    )
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)

    class Meta:
        verbose_name = _("industry (TOL 2008)")
        verbose_name_plural = _("industries (TOL 2008)")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {_localised(self.name_fi, self.name_sv, self.name_en)}"


class Organisation(models.Model):
    class Relationship(models.TextChoices):
        POTENTIAL = "potential", _("Potential customer")
        CUSTOMER = "customer", _("Customer")
        PARTNER = "partner", _("Partner")
        STAKEHOLDER = "stakeholder", _("Stakeholder")
        FORMER = "former", _("Former customer")

    name = models.CharField(_("name"), max_length=200, validators=text_validators)
    business_id = models.CharField(
        _("business ID (Y-tunnus)"), max_length=9, blank=True, validators=[validate_business_id]
    )
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("industry (TOL 2008)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"level": Industry.Level.DIVISION},
        related_name="+",
    )
    street_address = models.CharField(
        _("street address"), max_length=200, blank=True, validators=text_validators
    )
    postal_code = models.CharField(
        _("postal code"), max_length=5, blank=True, validators=[postal_code_validator]
    )
    post_office = models.CharField(
        _("post office"), max_length=100, blank=True, validators=text_validators
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
    is_owner = models.BooleanField(
        _("owner"),
        default=False,
        help_text=_("The organisation owns us (e.g. a municipal owner of an in-house company)."),
    )
    notes = models.TextField(
        _("notes"),
        blank=True,
        validators=text_validators,
        help_text=_("About the organisation. Write about a person on their contact page."),
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
        ERASED = "erased", _("Erased (anonymised on request)")

    # What a door may set by hand: "erased" is set by erasure only (privacy.erasure), on a row
    # whose personal data it has removed.
    ASSIGNABLE_SUBJECT_CATEGORIES = [
        (value, label) for value, label in SubjectCategory.choices if value != "erased"
    ]

    class Source(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        EVENT_REGISTRATION = "event_registration", _("Event registration")
        IMPORT = "import", _("Import from a file")
        API = "api", _("Integration (API client)")
        STAFF = "staff", _("Entered by staff")
        THIRD_PARTY = "third_party", _("Third party")
        DEMO = "demo", _("Demo data")
        ERASED = "erased", _("Erased (anonymised on request)")

    first_name = models.CharField(_("first name"), max_length=150, validators=text_validators)
    last_name = models.CharField(_("last name"), max_length=150, validators=text_validators)
    email = models.EmailField(
        _("email"), max_length=254, blank=True, validators=[validate_no_personal_identity_code]
    )
    phone = PhoneNumberField(_("phone"), blank=True)
    street_address = models.CharField(
        _("street address"), max_length=200, blank=True, validators=text_validators
    )
    postal_code = models.CharField(
        _("postal code"), max_length=5, blank=True, validators=[postal_code_validator]
    )
    post_office = models.CharField(
        _("post office"), max_length=100, blank=True, validators=text_validators
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality of residence"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    nationality = CountryField(_("nationality"), blank=True)
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
        validators=text_validators,
        help_text=_("The file name, API client or third party the data came from."),
    )
    collected_at = models.DateTimeField(_("collected"), default=timezone.now, null=True)
    # Nullable so that erasure can clear them: when a person was added is personal data too.
    created_at = models.DateTimeField(_("created"), auto_now_add=True, null=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, null=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        permissions = [
            ("import_contacts", _("Can import contacts from a file")),
            ("merge_contacts", _("Can merge duplicate contacts")),
        ]
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="contact_email_unique_ci",
                violation_error_message=_("A contact with this email address exists."),
            )
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="contact_name_idx"),
            models.Index(fields=["email"], name="contact_email_idx"),
            models.Index(fields=["phone"], name="contact_phone_idx"),
        ]

    def __str__(self):
        return self.name_of(self.first_name, self.last_name)

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @staticmethod
    def name_of(first_name: str, last_name: str) -> str:
        """How a person is named in lists and the audit trail (also for rows not loaded)."""
        return f"{first_name} {last_name}".strip() or str(_("(erased)"))


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
    job_title = models.CharField(
        _("job title"), max_length=200, blank=True, validators=text_validators
    )
    work_email = models.EmailField(
        _("work email"), blank=True, validators=[validate_no_personal_identity_code]
    )
    work_phone = PhoneNumberField(_("work phone"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [
            models.Index(fields=["work_email"], name="membership_work_email_idx"),
            models.Index(fields=["work_phone"], name="membership_work_phone_idx"),
        ]
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

    def save(self, *args, **kwargs):
        self.work_email = normalise_email(self.work_email)
        super().save(*args, **kwargs)


class Interaction(models.Model):
    """Something done with or for a person: a call, a meeting, a support case, a chat ..."""

    class Kind(models.TextChoices):
        CALL = "call", _("Phone call")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("Email")
        SUPPORT_CASE = "support_case", _("Support case")
        NEWSLETTER = "newsletter", _("Newsletter")
        CHAT = "chat", _("Chat conversation")
        NOTE = "note", _("Note")

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="interactions"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept when the staff account is deleted (staff becomes null), so that who acted stays known.
    staff_name = models.CharField(
        _("staff member's name"), max_length=300, blank=True, validators=text_validators
    )
    summary = models.TextField(_("summary"), validators=text_validators)
    transcript = models.TextField(_("chat transcript"), blank=True, validators=text_validators)
    browser = models.CharField(_("browser"), max_length=200, blank=True, validators=text_validators)
    operating_system = models.CharField(
        _("operating system"), max_length=200, blank=True, validators=text_validators
    )
    referrer = models.CharField(
        _("referring page"), max_length=500, blank=True, validators=text_validators
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["contact", "-occurred_at"], name="interaction_contact_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    @staticmethod
    def name_of_staff(user) -> str:
        """What ``staff_name`` keeps of a staff account: the full name, else the login name."""
        return (user.get_full_name() or user.get_username())[:300]

    @property
    def staff_shown(self) -> str:
        """The staff member who acted: the account while it exists, else the name it had."""
        return str(self.staff) if self.staff is not None else self.staff_name


class ApiClient(models.Model):
    """An integration (web form, enrolment system, survey tool) that pushes data in over the API.

    The token is shown once when the client is made and only its SHA-256 is kept; the first
    characters identify the row without revealing the rest. Each client acts as a service user
    of its own, so the audit trail and throttling name the integration. A token works while the
    client is active, its service user is active and ``expires_at`` has not passed; revoking
    destroys its hash, so reactivating issues a new token (services.api_client_rotate_token).
    """

    class Scope(models.TextChoices):
        CONTACTS_READ = "contacts:read", _("Read contacts")
        CONTACTS_WRITE = "contacts:write", _("Create and change contacts")
        ORGANISATIONS_READ = "organisations:read", _("Read organisations")
        ORGANISATIONS_WRITE = "organisations:write", _("Create and change organisations")
        MEMBERSHIPS_READ = "memberships:read", _("Read memberships")
        MEMBERSHIPS_WRITE = "memberships:write", _("Create and change memberships")
        INTERACTIONS_READ = "interactions:read", _("Read interactions")
        INTERACTIONS_WRITE = "interactions:write", _("Create and change interactions")
        CONSENTS_READ = "consents:read", _("Read consents")
        CONSENTS_WRITE = "consents:write", _("Record consents and sign-ups")
        EVENTS_READ = "events:read", _("Read published events and registration outcomes")
        EVENTS_WRITE = "events:write", _("Register people for events")

    name = models.CharField(_("name"), max_length=100, unique=True, validators=text_validators)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service user"),
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
    )
    token_prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    expires_at = models.DateTimeField(
        _("token expires"),
        null=True,
        blank=True,
        help_text=_("After this the token no longer works. Empty: it works until revoked."),
    )
    # When the current token was issued (audited: the token itself never is).
    issued_at = models.DateTimeField(_("token issued"), null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @staticmethod
    def token_parts(token: str) -> tuple[str, str]:
        """(the stored prefix that finds the row, the stored SHA-256 that proves the token)."""
        return token[:16], hashlib.sha256(token.encode()).hexdigest()


class ImportJob(models.Model):
    """An uploaded contact file on its way into the register.

    The file's bytes are kept in the database (so any web or worker instance can read them) only
    until the import ends or is cancelled, and never longer than the declared maximum.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Queued")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    file_name = models.CharField(_("file name"), max_length=255, validators=text_validators)
    content = models.BinaryField(_("content"), editable=False)
    encoding = models.CharField(_("encoding"), max_length=20, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.UPLOADED)
    mapping = models.JSONField(_("column mapping"), default=dict)
    skip_invalid = models.BooleanField(_("skip rows with errors"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    failure = models.TextField(_("failure"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When the import was confirmed and its task sent: the sweeper sends it again if it waits.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name


class ContactMerge(models.Model):
    """A duplicate that was merged into ``survivor``: what it held and where it came from.

    The merged row is gone, but its provenance and values stay answerable (to the person, in an
    access request; to the DPO, in the audit trail, which keeps its entries under its old id).
    """

    survivor = models.ForeignKey(
        Contact, verbose_name=_("kept contact"), on_delete=models.CASCADE, related_name="merges"
    )
    merged_contact_id = models.BigIntegerField(_("merged contact's id"))
    # The merged record's own address, when the kept one has another: a later import or
    # integration that still knows the person by it finds the kept record (selectors).
    merged_email = models.EmailField(
        _("merged contact's email"),
        blank=True,
        db_index=True,
        validators=[validate_no_personal_identity_code],
    )
    merged_values = models.JSONField(_("merged contact's data"))
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged"), auto_now_add=True)

    class Meta:
        verbose_name = _("merged duplicate")
        verbose_name_plural = _("merged duplicates")
        ordering = ["-merged_at"]

    def __str__(self):
        return f"#{self.merged_contact_id} → {self.survivor}"
