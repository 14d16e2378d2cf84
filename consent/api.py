"""Consents over the API (/api/v1/consents/): a sign-up or enrolment tool records consents.

``consents:write``: POST a sign-up. By default it is a double opt-in, as on the web form: the
person gets the confirmation mail and nothing is a consent until they open its link. A client
that collected and can prove the consent itself says ``"double_opt_in": false``, and the consent
is recorded at once with the client as its source. ``"action": "withdraw"`` withdraws. The
answer is the same 202 whether or not the person is in the register, so a write-only token
learns nothing. ``consents:read``: GET ``?email=`` lists a person's consents.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from config.access import client_address
from crm import selectors as crm_selectors
from crm import services as crm_services
from crm.api import ApiEndpoint
from crm.audit import audit_actor, log_access_many
from crm.models import Contact, normalise_email
from crm.validators import validate_no_personal_identity_code

from . import services
from .models import ConsentEvent, ConsentState, Purpose


class PurposeCodeField(serializers.SlugRelatedField):
    """A purpose by its code. Text that no code can be (a NUL byte, which PostgreSQL refuses in
    a query; anything longer than a code; not text at all) is refused before the lookup."""

    def to_internal_value(self, data):
        max_length = Purpose._meta.get_field("code").max_length
        if not isinstance(data, str) or "\x00" in data or len(data) > max_length:
            self.fail("does_not_exist", slug_name=self.slug_field, value="…")
        return super().to_internal_value(data)


class ConsentWriteSerializer(serializers.Serializer):
    purpose = PurposeCodeField(slug_field="code", queryset=Purpose.objects.filter(active=True))
    email = serializers.EmailField(max_length=254, validators=[validate_no_personal_identity_code])
    first_name = serializers.CharField(
        max_length=150, required=False, default="", validators=[validate_no_personal_identity_code]
    )
    last_name = serializers.CharField(
        max_length=150, required=False, default="", validators=[validate_no_personal_identity_code]
    )
    preferred_language = serializers.ChoiceField(choices=Contact.Language.choices, default="fi")
    topics = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, allow_null=True, default=None
    )
    action = serializers.ChoiceField(choices=["give", "withdraw"], default="give")
    double_opt_in = serializers.BooleanField(default=True)

    def validate_email(self, value):
        return normalise_email(value)

    def validate(self, attrs):
        try:
            attrs["topic_rows"] = services.topics_of(attrs["purpose"], attrs.get("topics"))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        if attrs.get("topics") == [] and attrs["purpose"].topics.exists():
            raise serializers.ValidationError({"topics": [_("Choose at least one topic.")]})
        if attrs["action"] == "give" and not (attrs["first_name"] and attrs["last_name"]):
            raise serializers.ValidationError(
                {"first_name": [_("A sign-up needs the person's first and last name.")]}
            )
        return attrs


class ConsentStateSerializer(serializers.ModelSerializer):
    purpose = serializers.SlugRelatedField(slug_field="code", read_only=True)
    topics = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    text_version = serializers.IntegerField(source="text.version", read_only=True)

    class Meta:
        model = ConsentState
        fields = ["purpose", "status", "text_version", "topics", "given_at", "expires_at"]


class ConsentViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, ApiEndpoint):
    scope_resource = "consents"
    pagination_class = None

    def get_serializer_class(self):
        return ConsentWriteSerializer if self.action == "create" else ConsentStateSerializer

    def get_queryset(self):
        email = normalise_email(self.request.query_params.get("email", ""))
        if "\x00" in email or not email:
            raise serializers.ValidationError({"email": [_("Give the person's email address.")]})
        person = crm_selectors.contacts_by_email([email]).get(email)
        if person is None:
            return ConsentState.objects.none()
        return (
            ConsentState.objects.filter(contact=person)
            .select_related("purpose", "text", "contact")
            .prefetch_related("topics")
        )

    def list(self, request, *args, **kwargs):
        rows = list(self.get_queryset())
        log_access_many(request, [r.contact for r in rows], api_client=request.auth.name)
        return Response(ConsentStateSerializer(rows, many=True).data)

    def create(self, request, *args, **kwargs):
        serializer = ConsentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        client = request.auth
        evidence = services.Evidence(
            source=ConsentEvent.Source.API,
            detail=client.name,
            ip_address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        with audit_actor(request.user, remote_addr=client_address(request)):
            try:
                self._record(values, evidence)
            except DjangoValidationError as error:
                detail = getattr(error, "message_dict", {"non_field_errors": error.messages})
                raise serializers.ValidationError(detail) from None
        return Response({"status": "received"}, status=status.HTTP_202_ACCEPTED)

    @staticmethod
    @transaction.atomic
    def _record(values, evidence) -> None:
        purpose, email = values["purpose"], values["email"]
        person = crm_selectors.contacts_by_email([email]).get(email)
        if values["action"] == "withdraw":
            if person is not None:
                services.consent_withdraw(contact=person, purpose=purpose, evidence=evidence)
            return
        if values["double_opt_in"]:
            services.sign_up_request(
                purpose=purpose,
                email=email,
                first_name=values["first_name"],
                last_name=values["last_name"],
                language=values["preferred_language"],
                topics=values["topic_rows"],
                evidence=evidence,
            )
            return
        if person is None:
            person = crm_services.contact_create(
                source=Contact.Source.API,
                source_detail=evidence.detail,
                first_name=values["first_name"],
                last_name=values["last_name"],
                email=email,
                preferred_language=values["preferred_language"],
            ).instance
        services.consent_give(
            contact=person, purpose=purpose, topics=values["topic_rows"], evidence=evidence
        )
