"""The ingestion API (/api/v1/): web forms, enrolment and survey tools push people in.

Clients authenticate with ``Authorization: Bearer <token>`` (see ApiClient); each endpoint needs
the client to hold the matching read or write scope. What a client writes is recorded with the
client as its source and, in the audit trail, as the actor. Reads of people are logged as
access entries, one per person returned.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import (
    exceptions,
    mixins,
    pagination,
    permissions,
    serializers,
    status,
    viewsets,
)
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from config.access import client_address

from . import selectors, services
from .audit import audit_actor, log_access_many
from .models import (
    ApiClient,
    Contact,
    Industry,
    Interaction,
    Membership,
    Municipality,
    Organisation,
    normalise_email,
)

# --- Authentication, scopes, throttling ---------------------------------------------------------


class ApiClientAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token as: Authorization: Bearer <token>.")
            )
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        client = selectors.api_client_by_token(token)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        services.api_client_touch(api_client=client)
        return client.user, client

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiClientAuthentication
    name = "apiClientToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The token printed once by `manage.py create_api_client`.",
        }


class HasScope(permissions.BasePermission):
    """The client must hold ``<resource>:read`` for safe methods, ``<resource>:write`` else."""

    message = _("This API client does not have the scope this request needs.")

    def has_permission(self, request, view):
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        action = "read" if request.method in permissions.SAFE_METHODS else "write"
        return client.has_scope(f"{view.scope_resource}:{action}")


class ApiClientThrottle(SimpleRateThrottle):
    scope = "api_client"

    def get_rate(self):
        # Read at request time (DRF's class attribute is frozen at import).
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiClient):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class IdCursorPagination(pagination.CursorPagination):
    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


# --- Serializers --------------------------------------------------------------------------------


class CodeField(serializers.SlugRelatedField):
    """A reference by official code: a municipality "091", an industry (TOL) "62"."""


def _django_errors_as_drf(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "message_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


class ServiceSerializer(serializers.ModelSerializer):
    """Saves only through crm.services, so the API refuses what the admin refuses, with the same
    translated messages (the services check each row with the model's own rules).

    Each serializer names its two services: ``create_service(**values, **provenance())`` and
    ``update_service(<model_name>=row, **changes)``; a serializer without them is refused when
    the module is imported, so none can fall back to DRF's own saving. ``unique_message``
    answers the rare race where two requests pass validation with the same unique value and the
    database refuses the second.
    """

    create_service = None
    update_service = None
    unique_message = _("This already exists.")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "Meta") and not (cls.create_service and cls.update_service):
            raise TypeError(f"{cls.__name__} must name its create_service and update_service")

    def provenance(self) -> dict:
        """Values the server sets on create (e.g. where a person's data came from)."""
        return {}

    def create(self, validated_data):
        service = type(self).create_service
        return self._guarded(lambda: service(**validated_data, **self.provenance())).instance

    def update(self, instance, validated_data):
        service = type(self).update_service
        row = {self.Meta.model._meta.model_name: instance}
        return self._guarded(lambda: service(**row, **validated_data)).instance

    def _guarded(self, save):
        """Run a service call; what it refuses is a 400, never a 500."""
        try:
            return save()
        except DjangoValidationError as error:
            raise _django_errors_as_drf(error) from None
        except IntegrityError:
            raise serializers.ValidationError({"non_field_errors": [self.unique_message]}) from None


class ContactSerializer(CountryFieldMixin, ServiceSerializer):
    municipality = CodeField(
        slug_field="code",
        queryset=Municipality.objects.filter(active=True),
        required=False,
        allow_null=True,
    )
    unique_message = _("A contact with this email address exists.")
    create_service = services.contact_create
    update_service = services.contact_update

    class Meta:
        model = Contact
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "street_address",
            "postal_code",
            "post_office",
            "municipality",
            "nationality",
            "preferred_language",
            "subject_category",
            "source",
            "source_detail",
            "collected_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["source", "source_detail", "collected_at", "created_at", "updated_at"]

    def validate_email(self, value):
        return normalise_email(value)

    def validate(self, attrs):
        """A person the register already has (by their address, or one a merged duplicate
        had) is refused to a client that may read, which can look them up. For a write-only
        client the person's row is left as it is and the view answers as for a new person
        (ContactViewSet.create), so that its token cannot test whether an address is in the
        register."""
        self._known = None
        email = attrs.get("email")
        if self.instance is None and email:
            known = selectors.contacts_by_email([email]).get(email)
            if known is not None:
                if self.context["request"].auth.has_scope("contacts:read"):
                    raise serializers.ValidationError({"email": [self.unique_message]})
                self._known = known
                self._check_as_new(attrs)
        return super().validate(attrs)

    def _check_as_new(self, attrs) -> None:
        """The checks a new person's details get (except that the address is free), so that
        the answer does not tell a known address from a new one. Nothing is saved."""
        probe = Contact(**self.provenance(), **attrs)
        try:
            probe.full_clean(validate_constraints=False)
        except DjangoValidationError as error:
            raise _django_errors_as_drf(error) from None

    def create(self, validated_data):
        if self._known is not None:
            return self._guarded(
                lambda: services.contact_submission_for_known_person(
                    person=self._known,
                    values=validated_data,
                    sent_by=self.context["request"].auth.name,
                )
            ).instance
        return super().create(validated_data)

    def provenance(self):
        return {"source": Contact.Source.API, "source_detail": self.context["request"].auth.name}


class OrganisationSerializer(ServiceSerializer):
    municipality = CodeField(
        slug_field="code",
        queryset=Municipality.objects.filter(active=True),
        required=False,
        allow_null=True,
    )
    industry = CodeField(
        slug_field="code",
        queryset=Industry.objects.filter(level=Industry.Level.DIVISION),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "business_id",
            "industry",
            "street_address",
            "postal_code",
            "post_office",
            "municipality",
            "relationship",
            "is_owner",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    unique_message = _("An organisation with this business ID exists.")
    create_service = services.organisation_create
    update_service = services.organisation_update


class BelongsToPersonSerializer(ServiceSerializer):
    """A row about a person: whose row it is cannot be changed afterwards."""

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            for name in ("contact", "organisation"):
                if name in fields:
                    fields[name].read_only = True
        return fields


class MembershipSerializer(BelongsToPersonSerializer):
    class Meta:
        model = Membership
        fields = [
            "id",
            "contact",
            "organisation",
            "job_title",
            "work_email",
            "work_phone",
            "start_date",
            "end_date",
        ]

    create_service = services.membership_create
    update_service = services.membership_update


class InteractionSerializer(BelongsToPersonSerializer):
    class Meta:
        model = Interaction
        fields = [
            "id",
            "contact",
            "organisation",
            "kind",
            "occurred_at",
            "summary",
            "transcript",
            "browser",
            "operating_system",
            "referrer",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    create_service = services.interaction_create
    update_service = services.interaction_update


# --- Views --------------------------------------------------------------------------------------

UPDATED_SINCE = OpenApiParameter(
    "updated_since", str, description="ISO 8601 date-time: only rows changed at or after it."
)
EMAIL = OpenApiParameter("email", str, description="Exact email address (any case).")


class ApiViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Shared rules of the ingestion endpoints.

    * A client that may write but not read gets back only the new row's id (a person: not even
      that, see ContactViewSet.create): a web form's token must not become a way to read the
      register.
    * Every read of rows about people writes one access entry per person (``people_of``).
    * Writes run with the client's service user as the audit actor: AuditlogMiddleware runs
      before DRF has authenticated the token.
    """

    authentication_classes = [ApiClientAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ApiClientThrottle]
    pagination_class = IdCursorPagination
    scope_resource = ""
    access = "api-client scopes"  # for the access test: every view states who may use it

    def people_of(self, rows) -> list:
        """The people the given rows are about (for the access log)."""
        return [row.contact for row in rows]

    def _may_read(self) -> bool:
        return self.request.auth.has_scope(f"{self.scope_resource}:read")

    def create(self, request, *args, **kwargs):
        return self._without_data_unless_readable(super().create(request, *args, **kwargs))

    def update(self, request, *args, **kwargs):
        return self._without_data_unless_readable(super().update(request, *args, **kwargs))

    def _without_data_unless_readable(self, response):
        if not self._may_read() and isinstance(response.data, dict) and "id" in response.data:
            response.data = {"id": response.data["id"]}
        return response

    def get_object(self):
        if self.request.method in ("PUT", "PATCH") and not self._may_read():
            raise exceptions.PermissionDenied(
                _("Changing a row needs the read scope too: the answer shows the row.")
            )
        return super().get_object()

    def paginate_queryset(self, queryset):
        self._page = super().paginate_queryset(queryset)
        return self._page

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        _log_reads(request, self.people_of(getattr(self, "_page", None) or []))
        return response

    def retrieve(self, request, *args, **kwargs):
        row = self.get_object()
        _log_reads(request, self.people_of([row]))
        return Response(self.get_serializer(row).data)

    def perform_create(self, serializer):
        with audit_actor(self.request.user, remote_addr=client_address(self.request)):
            serializer.save()

    def perform_update(self, serializer):
        with audit_actor(self.request.user, remote_addr=client_address(self.request)):
            serializer.save()


def _updated_since(request, queryset):
    value = request.query_params.get("updated_since")
    if value is None:
        return queryset
    moment = parse_datetime(value)
    if moment is None:
        raise serializers.ValidationError(
            {
                "updated_since": [
                    _("Give an ISO 8601 date and time, e.g. 2026-01-31T12:00:00+02:00.")
                ]
            }
        )
    return queryset.filter(updated_at__gte=moment)


def _log_reads(request, people) -> None:
    """One access entry per person an integration read."""
    log_access_many(request, people, api_client=request.auth.name)


@extend_schema_view(
    list=extend_schema(parameters=[EMAIL, UPDATED_SINCE]),
    create=extend_schema(
        responses={
            201: ContactSerializer,
            202: OpenApiResponse(
                description="A client without contacts:read: received (a new person is added; "
                "a known one is not changed, and what differs is kept for staff to check)."
            ),
        }
    ),
)
class ContactViewSet(ApiViewSet):
    serializer_class = ContactSerializer
    scope_resource = "contacts"
    queryset = Contact.objects.select_related("municipality")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            email = self.request.query_params.get("email")
            if email is not None:  # their own address, or one a merged duplicate had
                email = normalise_email(email)
                person = selectors.contacts_by_email([email]).get(email)
                queryset = queryset.filter(pk=person.pk) if person else queryset.none()
            queryset = _updated_since(self.request, queryset)
        return queryset

    def people_of(self, rows):
        return list(rows)

    def create(self, request, *args, **kwargs):
        """A write-only client (a public form's token) gets 202 and no id, new person or
        known: an id would tell, by being older than the last new one, that the address was
        already in the register."""
        response = super().create(request, *args, **kwargs)
        if not self._may_read():
            return Response({"status": "received"}, status=status.HTTP_202_ACCEPTED)
        return response


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class OrganisationViewSet(ApiViewSet):
    serializer_class = OrganisationSerializer
    scope_resource = "organisations"
    queryset = Organisation.objects.select_related("municipality", "industry")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = _updated_since(self.request, queryset)
        return queryset

    def people_of(self, rows):
        return []  # organisations are legal persons


class MembershipViewSet(ApiViewSet):
    serializer_class = MembershipSerializer
    scope_resource = "memberships"
    queryset = Membership.objects.select_related("contact")


class InteractionViewSet(ApiViewSet):
    serializer_class = InteractionSerializer
    scope_resource = "interactions"
    queryset = Interaction.objects.select_related("contact")
