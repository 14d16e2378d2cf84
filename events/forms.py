"""The public registration form, built from the event's questions.

The form reads the values into the shapes ``events.services.registration_create`` takes; the
service checks them (required answers, choices, the explicit consent of a sensitive question,
billing identifiers) and its messages are shown at the fields they are about.
"""

from __future__ import annotations

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from crm.models import Municipality, text_validators
from crm.validators import validate_no_personal_identity_code

from . import services
from .models import BillingDetails, Question, Recipient


class DateInput(forms.DateInput):
    input_type = "date"


class RegistrationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, validators=text_validators)
    last_name = forms.CharField(label=_("Last name"), max_length=150, validators=text_validators)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        validators=[ProhibitNullCharactersValidator(), validate_no_personal_identity_code],
    )
    phone = PhoneNumberField(label=_("Phone"), required=False, region="FI")
    organisation_name = forms.CharField(
        label=_("Organisation"), max_length=200, required=False, validators=text_validators
    )
    job_title = forms.CharField(
        label=_("Job title"), max_length=200, required=False, validators=text_validators
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.filter(active=True).order_by("name_fi"),
        required=False,
        help_text=_("For the event's statistics; optional."),
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.questions = list(event.questions.all())
        for question in self.questions:
            self.fields[services.answer_field_name(question)] = self._question_field(question)
            if question.sensitive:
                self.fields[services.consent_field_name(question)] = forms.BooleanField(
                    label=question.consent_text,
                    required=False,
                )
        if event.networking_offered:
            self.fields["networking"] = forms.BooleanField(
                label=_("Put me on the event's networking list"), required=False
            )
            self.fields["share_email"] = forms.BooleanField(
                label=_("Show my email address on the list"), required=False
            )
            self.fields["share_phone"] = forms.BooleanField(
                label=_("Show my phone number on the list"), required=False
            )
            self.fields["share_organisation"] = forms.BooleanField(
                label=_("Show my organisation and job title on the list"), required=False
            )
        self.partners = list(event.recipients.filter(kind=Recipient.Kind.PARTNER))
        if self.partners:
            self.fields["partner_consent"] = forms.BooleanField(
                label=_("My contact details may be given to the event's partners: %(names)s")
                % {"names": ", ".join(p.name for p in self.partners)},
                required=False,
            )
        if event.is_paid:
            self._billing_fields()

    @staticmethod
    def _question_field(question: Question) -> forms.Field:
        label = question.text
        # Required answers are checked by the service (with its message), not by the browser
        # alone: a sensitive question is never required.
        common = {"label": label, "required": False}
        kind = question.kind
        if kind == Question.Kind.TEXT:
            return forms.CharField(max_length=services.TEXT_MAX, **common)
        if kind == Question.Kind.LONG_TEXT:
            return forms.CharField(
                max_length=services.LONG_TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                **common,
            )
        choices = [(str(c.pk), c.label) for c in question.choices.all()]
        if kind == Question.Kind.SINGLE_CHOICE:
            return forms.ChoiceField(
                choices=[("", "—"), *choices], widget=forms.RadioSelect, **common
            )
        if kind == Question.Kind.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        if kind == Question.Kind.YES_NO:
            return forms.ChoiceField(
                choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                **common,
            )
        return forms.DateField(widget=DateInput, **common)

    def _billing_fields(self):
        self.fields["billing_payer_kind"] = forms.ChoiceField(
            label=_("Who pays"),
            choices=BillingDetails.PayerKind.choices,
            widget=forms.RadioSelect,
            initial=BillingDetails.PayerKind.ORGANISATION,
        )
        for name, label, max_length in (
            ("payer_name", _("Payer's name (person or contact person)"), 200),
            ("organisation_name", _("Organisation"), 200),
            ("business_id", _("Business ID (Y-tunnus)"), 20),
            ("vat_number", _("VAT number (foreign organisations)"), 20),
            ("einvoice_address", _("E-invoicing address (OVT)"), 30),
            ("einvoice_operator", _("E-invoicing operator's identifier"), 35),
            ("street_address", _("Street address"), 200),
            ("postal_code", _("Postal code"), 12),
            ("city", _("City"), 100),
            ("reference", _("Your reference number (optional)"), 35),
        ):
            self.fields[f"billing_{name}"] = forms.CharField(
                label=label,
                max_length=max_length,
                required=name == "payer_name",
                validators=text_validators,
            )

    PERSON_FIELDS = (
        "first_name",
        "last_name",
        "email",
        "phone",
        "organisation_name",
        "job_title",
        "municipality",
    )

    def person_rows(self):
        return [self[name] for name in self.PERSON_FIELDS]

    def billing_rows(self):
        return [self[n] for n in self.fields if n.startswith("billing_")]

    def question_rows(self):
        """(question field, its consent field or None) for the template, in order."""
        return [
            (
                self[services.answer_field_name(q)],
                self[services.consent_field_name(q)] if q.sensitive else None,
            )
            for q in self.questions
        ]

    def registration_data(self) -> dict:
        """The cleaned values in the service's shape."""
        values = self.cleaned_data
        data = {
            name: values.get(name)
            for name in (
                "first_name",
                "last_name",
                "email",
                "organisation_name",
                "job_title",
                "municipality",
                "networking",
                "share_email",
                "share_phone",
                "share_organisation",
                "partner_consent",
            )
        }
        data["phone"] = str(values["phone"]) if values.get("phone") else ""
        data["answers"] = {q.pk: values.get(services.answer_field_name(q)) for q in self.questions}
        data["sensitive_consents"] = [
            q.pk
            for q in self.questions
            if q.sensitive and values.get(services.consent_field_name(q))
        ]
        if self.event.is_paid:
            data["billing"] = {
                name: values.get(f"billing_{name}") or ""
                for name in services.BILLING_FIELDS
                if f"billing_{name}" in self.fields
            }
            data["billing"]["country"] = "FI"
        return data

    def add_service_errors(self, error) -> None:
        """The service's ValidationError at the fields it names (else at the top)."""
        for name, messages in error.message_dict.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)
