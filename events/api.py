"""Events over the API: enrolment and survey tools register people (/api/v1/).

``events:read``: GET ``/api/v1/events/`` lists the published events whose registration is open,
with their questions and choices (the ids a registration names). ``events:write``: POST
``/api/v1/event-registrations/`` registers a person, with the same rules as the public form
(events.services.registration_create): answers checked per question, a sensitive answer only
with ``sensitive_consent``, billing details for a paid event, capacity decided under the event's
row lock. A client that may also read gets 201 with the registration's id and status
(confirmed or waiting); a write-only client gets 202 ``{"status": "received"}``, the same for a
person already registered, so that a public form's token cannot learn who registered.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from config.access import client_address
from consent.models import ConsentEvent
from consent.services import Evidence
from crm.api import (
    ApiDateField,
    ApiDateTimeField,
    ApiEndpoint,
    CodeField,
    Conflict,
    _json_type_error,
    _municipality_codes,
)
from crm.audit import audit_actor
from crm.models import Contact, Municipality

from . import selectors, services
from .models import Event, Question, Registration


class StrictSerializer(serializers.Serializer):
    """JSON types as the schema states them: text is text, a flag is true or false."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            fields = self.fields
            wrong = {
                name: [message]
                for name, value in data.items()
                if name in fields
                and not fields[name].read_only
                # A nested object or list checks its own items.
                and not isinstance(fields[name], serializers.BaseSerializer)
                and (message := _json_type_error(fields[name], value))
            }
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


class EventSlugField(serializers.SlugRelatedField):
    """An event by its address name. Text no slug can be is refused before the lookup."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 80:
            self.fail("does_not_exist", slug_name=self.slug_field, value="…")
        return super().to_internal_value(data)


class AnswerSerializer(StrictSerializer):
    question = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    text = serializers.CharField(
        max_length=services.LONG_TEXT_MAX, required=False, allow_blank=True
    )
    choices = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=100,
    )
    yes_no = serializers.BooleanField(required=False, allow_null=True, default=None)
    date = ApiDateField(required=False, allow_null=True)
    sensitive_consent = serializers.BooleanField(
        default=False,
        help_text="The person ticked the explicit consent of a sensitive question (Art. 9).",
    )


class BillingSerializer(StrictSerializer):
    payer_kind = serializers.ChoiceField(choices=["person", "organisation"])
    payer_name = serializers.CharField(max_length=200)
    organisation_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    street_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=12, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country = serializers.CharField(
        max_length=2, required=False, default="FI", help_text="ISO 3166 code"
    )
    business_id = serializers.CharField(max_length=20, required=False, allow_blank=True)
    vat_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    einvoice_address = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="OVT: 0037 + Y-tunnus digits"
    )
    einvoice_operator = serializers.CharField(max_length=35, required=False, allow_blank=True)
    reference = serializers.CharField(max_length=35, required=False, allow_blank=True)


class RegistrationWriteSerializer(StrictSerializer):
    event = EventSlugField(slug_field="slug", queryset=Event.objects.filter(is_published=True))
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    organisation_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    job_title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    municipality = CodeField(
        codes=_municipality_codes,
        queryset=Municipality.objects.filter(active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    language = serializers.ChoiceField(choices=Contact.Language.values, default="fi")
    answers = AnswerSerializer(many=True, required=False, default=list)
    networking = serializers.BooleanField(default=False)
    share_email = serializers.BooleanField(default=False)
    share_phone = serializers.BooleanField(default=False)
    share_organisation = serializers.BooleanField(default=False)
    partner_consent = serializers.BooleanField(default=False)
    billing = BillingSerializer(required=False, allow_null=True, default=None)

    def service_data(self) -> dict:
        values = dict(self.validated_data)
        answers, consents = {}, []
        errors = {}
        for index, answer in enumerate(values.pop("answers")):
            question = answer["question"]
            if question in answers:
                errors[f"answers.{index}.question"] = [_("Each question is answered once.")]
            answers[question] = next(
                (
                    answer[key]
                    for key in ("choices", "text", "date")
                    if answer.get(key) not in (None, "", [])
                ),
                answer.get("yes_no"),
            )
            if answer["sensitive_consent"]:
                consents.append(question)
        if errors:
            raise serializers.ValidationError(errors)
        values.pop("event")
        values.pop("language")
        values["answers"] = answers
        values["sensitive_consents"] = consents
        return values


class RegistrationCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.CharField()
    status = serializers.ChoiceField(choices=Registration.Status.choices)


class ChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label_fi = serializers.CharField()
    label_sv = serializers.CharField()
    label_en = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    text_fi = serializers.CharField()
    text_sv = serializers.CharField()
    text_en = serializers.CharField()
    required = serializers.BooleanField()
    sensitive = serializers.BooleanField()
    consent_text_fi = serializers.CharField()
    consent_text_sv = serializers.CharField()
    consent_text_en = serializers.CharField()
    choices = ChoiceSerializer(many=True, source="choices.all")


class EventSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title_fi = serializers.CharField()
    title_sv = serializers.CharField()
    title_en = serializers.CharField()
    organiser_unit = serializers.CharField()
    starts_at = ApiDateTimeField()
    ends_at = ApiDateTimeField()
    venue = serializers.CharField()
    capacity = serializers.IntegerField()
    places_left = serializers.SerializerMethodField()
    registration_opens_at = ApiDateTimeField()
    registration_closes_at = ApiDateTimeField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    vat_rate = serializers.DecimalField(max_digits=4, decimal_places=2)
    networking_offered = serializers.BooleanField()
    questions = QuestionSerializer(many=True, source="questions.all")

    def get_places_left(self, event) -> int:
        return selectors.places_left(event)


class EventViewSet(mixins.ListModelMixin, ApiEndpoint):
    """The published events (not yet over), with their questions."""

    scope_resource = "events"
    pagination_class = None
    serializer_class = EventSerializer

    def get_queryset(self):
        return selectors.published_events().prefetch_related("questions__choices")


def _api_key(name: str) -> str:
    """A service's error key in the request's terms: answers.<question id>, billing.<field>."""
    if name.startswith("question_"):
        return "answers." + name.removeprefix("question_")
    if name.startswith("billing_"):
        return "billing." + name.removeprefix("billing_")
    return name


class EventRegistrationViewSet(mixins.CreateModelMixin, ApiEndpoint):
    scope_resource = "events"
    serializer_class = RegistrationWriteSerializer

    @extend_schema(
        request=RegistrationWriteSerializer,
        responses={
            201: OpenApiResponse(
                RegistrationCreatedSerializer,
                description="Registered (a client with events:read): confirmed or waiting.",
            )
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = RegistrationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.service_data()
        client = request.auth
        may_read = client.has_scope("events:read")
        evidence = Evidence(
            source=ConsentEvent.Source.API,
            detail=client.name,
            ip_address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        with audit_actor(request.user, remote_addr=client_address(request)):
            try:
                result = services.registration_create(
                    event=serializer.validated_data["event"],
                    data=data,
                    source=Registration.Source.API,
                    language=serializer.validated_data["language"],
                    api_client=client,
                    evidence=evidence,
                )
            except DjangoValidationError as error:
                errors = getattr(error, "message_dict", {"non_field_errors": error.messages})
                if services.is_already_registered(error):
                    # Already registered: a write-only client learns nothing of it.
                    if not may_read:
                        return Response({"status": "received"}, status=status.HTTP_202_ACCEPTED)
                    raise Conflict(errors) from None
                raise serializers.ValidationError(
                    {_api_key(name): messages for name, messages in errors.items()}
                ) from None
        if not may_read:
            return Response({"status": "received"}, status=status.HTTP_202_ACCEPTED)
        registration = result.registration
        body = {
            "id": registration.pk,
            "event": registration.event.slug,
            "status": registration.status,
        }
        return Response(body, status=status.HTTP_201_CREATED)
