"""The ingestion API (/api/v1/): web forms, enrolment and survey tools push people in.

Clients authenticate with ``Authorization: Bearer <token>`` (see ApiClient); each endpoint needs
the client to hold the matching read or write scope. What a client writes is recorded with the
client as its source and, in the audit trail, as the actor. Reads of people are logged as
access entries, one per person returned.

Every answer that is not a success has one JSON shape (``ApiErrorSerializer``): ``status``,
``code``, a translated ``detail`` in the client's Accept-Language, and ``errors`` by field.
Input is checked strictly against the types the OpenAPI schema states (text is text, a number
is a number), so that what the schema calls valid is accepted and what it calls invalid is
refused with a 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import re
import secrets
from urllib.parse import parse_qs

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.db import IntegrityError, models, transaction
from django.http import Http404, JsonResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
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
    parsers,
    permissions,
    serializers,
    status,
    viewsets,
)
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils import json as drf_json
from rest_framework.views import set_rollback

from config.access import client_address, public

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
from .reference import read_industries, read_municipalities
from .validators import validate_business_id

logger = logging.getLogger(__name__)

# --- Errors -------------------------------------------------------------------------------------


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


class Conflict(exceptions.APIException):
    """The row would duplicate one the register has (an address, a business ID)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This already exists.")
    default_code = "conflict"

    def __init__(self, errors: dict):
        super().__init__(detail=_("This already exists."))
        self.errors = errors


class ApiErrorSerializer(serializers.Serializer):
    """The one shape of every error answer (for the schema; answers are built by the handler)."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(
        help_text="What went wrong, for programs: invalid, conflict, not_authenticated, "
        "authentication_failed, permission_denied, not_found, method_not_allowed, "
        "not_acceptable, unsupported_media_type, request_too_large, throttled, server_error."
    )
    detail = serializers.CharField(help_text="What went wrong, for people, in Accept-Language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The messages by field name of the request (empty when no field is to blame).",
    )

    class Meta:
        ref_name = "Error"


def _messages(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as ``{"field": ["message", ...]}`` (nested names dotted)."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            out.update(_messages(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        out = {}
        for index, item in enumerate(detail):
            out.update(_messages(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    items = detail if isinstance(detail, list) else [detail]
    # dict.fromkeys: a check made by both DRF and the model says it once.
    messages = list(dict.fromkeys(force_str(item) for item in items))
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: messages}


def error_body(*, status_code: int, code: str, detail, errors: dict | None = None) -> dict:
    return {
        "status": status_code,
        "code": code,
        "detail": force_str(detail),
        "errors": errors or {},
    }


def api_exception_handler(exc, context):
    """DRF's exception handler for the API: every error in one JSON shape, translated into the
    request's language, and an unexpected one a logged 500 in that shape instead of an HTML
    page (a program reads these answers)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):  # Django's own cap, when it reads the body first
        exc = RequestTooLarge()
    set_rollback()
    if not isinstance(exc, exceptions.APIException):
        logger.error("API request failed", exc_info=exc)
        body = error_body(
            status_code=500,
            code="server_error",
            detail=_("Something went wrong on our side; the request changed nothing."),
        )
        return Response(body, status=500, headers={"Cache-Control": "no-store"})
    headers = {"Cache-Control": "no-store"}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(
            status_code=exc.status_code,
            code="invalid",
            detail=_("The request has invalid values: see errors."),
            errors=_messages(exc.detail),
        )
    else:
        code = exc.get_codes()
        body = error_body(
            status_code=exc.status_code,
            code=code if isinstance(code, str) else exc.default_code,
            detail=exc.detail if isinstance(exc.detail, str) else exc.default_detail,
            errors=_messages(exc.errors) if getattr(exc, "errors", None) else {},
        )
    return Response(body, status=exc.status_code, headers=headers)


@public
@csrf_exempt  # a PATCH to an unknown address is a 404, not the CSRF page
def not_found(request, *args, **kwargs):
    """Addresses under /api/v1/ that are no endpoint: a 404 in the API's shape, not a page."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        body = error_body(
            status_code=404, code="not_found", detail=exceptions.NotFound.default_detail
        )
    headers = {"Cache-Control": "no-store", "Content-Language": language}
    return JsonResponse(body, status=404, headers=headers)


# --- Request bodies -----------------------------------------------------------------------------


class ApiJSONParser(parsers.JSONParser):
    """JSON only (a multipart upload is answered 415), at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes
    (413, read no further) and nested at most MAX_DEPTH deep: Python's parser would otherwise
    recurse until it fails with a 500, and no endpoint takes more than a flat object."""

    MAX_DEPTH = 8

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
            )
        encoding = parsers.get_encoding(parser_context or {})
        try:
            data = json.loads(raw.decode(encoding), parse_constant=drf_json.strict_constant)
        except (ValueError, RecursionError):
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from None
        if _depth(data) > self.MAX_DEPTH:
            raise exceptions.ParseError(_("The request body is nested too deeply."))
        return data


def _depth(data) -> int:
    """How deeply JSON containers nest (without recursion: the input is an attacker's)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            stack.extend(
                (child, level + 1) for child in (node.values() if isinstance(node, dict) else node)
            )
    return deepest


# --- Authentication, scopes, throttling ---------------------------------------------------------

# What create_api_client issues: "rk_" and URL-safe base64. Anything else is refused before the
# database is asked (a NUL byte would otherwise reach PostgreSQL and fail there).
TOKEN_FORM = re.compile(r"rk_[A-Za-z0-9_-]{20,100}")


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
        client = selectors.api_client_by_token(token) if TOKEN_FORM.fullmatch(token) else None
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired token."))
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


def _invalid_parameter(name: str, message) -> serializers.ValidationError:
    return serializers.ValidationError({name: [message]})


class IdCursorPagination(pagination.CursorPagination):
    """Pages in id order. A page link (``cursor``) that was not made here, or a page size that
    is not a whole number from 1 to ``max_page_size``, is a 400 that says which parameter is
    wrong (DRF's own answer is a 404 for the first and silence for the second)."""

    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_cursor = _("This page link is not valid: start again from the first page.")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= self.max_page_size:
            raise _invalid_parameter(
                self.page_size_query_param,
                _("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size},
            )
        return int(raw)

    def decode_cursor(self, request):
        """Only a link this pagination wrote: base64 of ``o=<offset>&r=<0|1>&p=<id>``. DRF's
        own decoding takes any text (a position of "abc" then fails in the database)."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            text = base64.b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
            tokens = parse_qs(text, keep_blank_values=True, strict_parsing=True)
        except (ValueError, binascii.Error):  # UnicodeError is a ValueError
            tokens = {}
        offset = tokens.get("o", ["0"])
        reverse = tokens.get("r", ["0"])
        position = tokens.get("p", [None])
        if (
            not tokens
            or tokens.keys() - {"o", "r", "p"}
            or any(len(values) != 1 for values in tokens.values())
            or not re.fullmatch(r"[0-9]{1,6}", offset[0])
            or reverse[0] not in ("0", "1")
            or (position[0] is not None and not re.fullmatch(r"[0-9]{1,18}", position[0]))
        ):
            raise _invalid_parameter(self.cursor_query_param, self.invalid_cursor)
        return pagination.Cursor(
            offset=min(int(offset[0]), self.offset_cutoff),
            reverse=reverse[0] == "1",
            position=position[0],
        )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


# --- Serializers --------------------------------------------------------------------------------

# Dates a register of living people and their dealings can hold; a year outside is a typing
# error or a probe, refused on input. (Older dates entered elsewhere are still shown correctly.)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
YEAR_OUT_OF_RANGE = _("Give a year from %(earliest)d to %(latest)d.")
# Text the database can store: PostgreSQL refuses NUL characters (stated in the schema, so that
# a generator of valid requests knows it too).
NO_NUL = "^[^\\u0000]*$"


def _check_year(field: serializers.Field, value: dt.date) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise serializers.ValidationError(
            YEAR_OUT_OF_RANGE % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR}
        )


class ApiDateTimeField(serializers.DateTimeField):
    """RFC 3339 out, always in UTC ("Z"): the local zone's offset before 1921 was Helsinki's
    mean time, +01:39:49, which RFC 3339 cannot express. In: a reasonable year; a time without
    an offset is Finnish time, as before."""

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid", format="YYYY-MM-DDThh:mm:ss±hh:mm")
        moment = super().to_internal_value(value)
        _check_year(self, moment)
        _check_year(self, moment.astimezone(dt.UTC))
        return moment

    def to_representation(self, value):
        if not value:
            return None
        text = value.astimezone(dt.UTC).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


class ApiDateField(serializers.DateField):
    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid", format="YYYY-MM-DD")
        day = super().to_internal_value(value)
        _check_year(self, day)
        return day


# What JSON type each kind of field takes. DRF is lenient (123 for a name, "true" for a flag,
# 1.9 for an id, which it would truncate to 1); the schema is not, so neither is the API.
_JSON_TYPES = (
    (serializers.BooleanField, (bool,), _("Give true or false.")),
    (serializers.RelatedField, None, None),  # each related field checks its own (below)
    (serializers.IntegerField, (int,), _("Give a whole number.")),
    (serializers.Field, (str,), _("Give text.")),
)


def _json_type_error(field: serializers.Field, value) -> str | None:
    if value is None:
        return None  # allow_null decides
    for kind, types, message in _JSON_TYPES:
        if isinstance(field, kind):
            if types is None or isinstance(field, serializers.ListField | serializers.DictField):
                return None
            if isinstance(value, bool) and bool not in types:
                return message
            return None if isinstance(value, types) else message
    return None


class CodeField(serializers.SlugRelatedField):
    """A reference by official code: a municipality "091", an industry (TOL) "62". The schema
    lists the codes, so that a client (and a request generator) knows the valid ones."""

    def __init__(self, *, codes, **kwargs):
        super().__init__(slug_field="code", **kwargs)
        self.codes = codes  # () -> the valid codes, from the reference files (no database)

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 10:
            self.fail("does_not_exist", slug_name=self.slug_field, value="…")
        return super().to_internal_value(data)


def _municipality_codes() -> list[str]:
    return sorted(row["code"] for row in read_municipalities())


def _industry_codes() -> list[str]:
    return sorted(row["code"] for row in read_industries() if row["level"] == "division")


class IdField(serializers.PrimaryKeyRelatedField):
    """A reference by id: a whole JSON number, nothing else (1.9 is refused, not read as 1)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= data <= 2**63 - 1:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


def _django_errors_as_drf(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "message_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


class _Undo(Exception):
    """Rolls back work done only to take the time it takes."""


def _same_work_undone(work) -> None:
    """Do ``work`` in a savepoint and roll it back: an answer about a row the register has costs
    what one about a new row costs, so that its timing does not tell them apart. The
    transaction around it commits, as a new row's does (on PostgreSQL the rolled-back insert
    has taken a transaction id, so the commit is flushed to disk like a real one)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                work()
                raise _Undo
        except _Undo:
            pass


class ServiceSerializer(serializers.ModelSerializer):
    """Saves only through crm.services, so the API refuses what the admin refuses, with the same
    translated messages (the services check each row with the model's own rules).

    Each serializer names its two services: ``create_service(**values, **provenance())`` and
    ``update_service(<model_name>=row, **changes)``; a serializer without them is refused when
    the module is imported, so none can fall back to DRF's own saving. ``unique_message``
    answers the rare race where two requests pass validation with the same unique value and the
    database refuses the second (409, as a duplicate found before saving is).
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: ApiDateTimeField,
        models.DateField: ApiDateField,
    }
    serializer_related_field = IdField
    create_service = None
    update_service = None
    unique_message = _("This already exists.")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "Meta") and not (cls.create_service and cls.update_service):
            raise TypeError(f"{cls.__name__} must name its create_service and update_service")

    def to_internal_value(self, data):
        if isinstance(data, dict):
            fields = self.fields
            wrong = {
                name: [message]
                for name, value in data.items()
                if name in fields
                and not fields[name].read_only
                and (message := _json_type_error(fields[name], value))
            }
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)

    def provenance(self) -> dict:
        """Values the server sets on create (e.g. where a person's data came from)."""
        return {}

    @property
    def client_may_read(self) -> bool:
        request = self.context["request"]
        return request.auth.has_scope(f"{self.context['view'].scope_resource}:read")

    def create(self, validated_data):
        service = type(self).create_service
        return self._guarded(lambda: service(**validated_data, **self.provenance())).instance

    def update(self, instance, validated_data):
        service = type(self).update_service
        row = {self.Meta.model._meta.model_name: instance}
        return self._guarded(lambda: service(**row, **validated_data)).instance

    def _guarded(self, save):
        """Run a service call; what it refuses is a 400 (a duplicate: 409), never a 500."""
        try:
            return save()
        except DjangoValidationError as error:
            raise _django_errors_as_drf(error) from None
        except IntegrityError:
            raise Conflict({"non_field_errors": [self.unique_message]}) from None


class SubjectCategoryField(serializers.ChoiceField):
    """Any category is shown, but "erased" is set only by erasure (privacy.erasure), never sent:
    an integration could otherwise mark a person erased who still has a name and an address."""

    def __init__(self, **kwargs):
        super().__init__(choices=Contact.SubjectCategory.choices, **kwargs)

    def to_internal_value(self, data):
        if data == Contact.SubjectCategory.ERASED:
            raise serializers.ValidationError(
                _("Only erasure on the person's request marks a person erased.")
            )
        return super().to_internal_value(data)


class SubjectCategoryFieldSchema(OpenApiSerializerFieldExtension):
    target_class = SubjectCategoryField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "string", "enum": Contact.SubjectCategory.values}
        # A pattern, not an enum: drf-spectacular merges the enums of one field name into one
        # component, and the request's must leave "erased" out.
        assignable = [value for value, _label in Contact.ASSIGNABLE_SUBJECT_CATEGORIES]
        return {"type": "string", "pattern": f"^({'|'.join(assignable)})$"}


class ContactSerializer(CountryFieldMixin, ServiceSerializer):
    municipality = CodeField(
        codes=_municipality_codes,
        queryset=Municipality.objects.filter(active=True),
        required=False,
        allow_null=True,
    )
    subject_category = SubjectCategoryField(required=False)
    unique_message = _("A contact with this email address exists.")
    create_service = services.contact_create
    update_service = services.contact_update

    class Meta:
        model = Contact
        fields = [
            "id",
            *services.CONTACT_WRITABLE,
            *services.CONTACT_PROVENANCE,
            "created_at",
            "updated_at",
        ]
        read_only_fields = [*services.CONTACT_PROVENANCE, "created_at", "updated_at"]

    def validate_email(self, value):
        return normalise_email(value)

    def validate(self, attrs):
        """A person the register already has (by their address, or one a merged duplicate
        had) is a 409 to a client that may read, which can look them up anyway. For a
        write-only client the person's row is left as it is and the view answers as for a new
        person (ApiViewSet.create), so that its token cannot test whether an address is in the
        register."""
        self._known = None
        email = attrs.get("email")
        if email and (self.instance is None or email != self.instance.email):
            known = selectors.contacts_by_email([email]).get(email)
            if known is not None and known != self.instance:
                if self.instance is not None or self.client_may_read:
                    raise Conflict({"email": [self.unique_message]})
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
        """For a known person (write-only client): their row is not changed; what differs is
        kept as a note for staff. When nothing differs, a new person's row is written and
        rolled back instead, so that every answer costs one row and its audit entry."""
        if self._known is None:
            return super().create(validated_data)
        person, sent_by = self._known, self.context["request"].auth.name
        if services.contact_submission_differences(person=person, values=validated_data):
            return self._guarded(
                lambda: services.contact_submission_for_known_person(
                    person=person, values=validated_data, sent_by=sent_by
                )
            ).instance
        unused = f"{secrets.token_hex(12)}@example.invalid"
        self._guarded(
            lambda: _same_work_undone(
                lambda: services.contact_create(
                    **{**validated_data, "email": unused}, **self.provenance()
                )
            )
        )
        return person

    def provenance(self):
        return {"source": Contact.Source.API, "source_detail": self.context["request"].auth.name}


class OrganisationSerializer(ServiceSerializer):
    municipality = CodeField(
        codes=_municipality_codes,
        queryset=Municipality.objects.filter(active=True),
        required=False,
        allow_null=True,
    )
    industry = CodeField(
        codes=_industry_codes,
        queryset=Industry.objects.filter(level=Industry.Level.DIVISION),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Organisation
        fields = ["id", *services.ORGANISATION_WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        # The business ID's uniqueness is checked in validate(): a 409, or nothing for a
        # write-only client (DRF's own validator would answer every client with a 400).
        validators = []
        extra_kwargs = {
            # The form, for the schema; the check digit is checked by the model's validator.
            "business_id": {
                "validators": [RegexValidator(r"^[0-9]{7}-[0-9]$"), validate_business_id]
            }
        }

    unique_message = _("An organisation with this business ID exists.")
    create_service = services.organisation_create
    update_service = services.organisation_update

    def validate(self, attrs):
        """A known business ID: 409 to a client that may read organisations; to a write-only
        client the same answer as for a new organisation, and the known one is not changed."""
        self._known = None
        business_id = attrs.get("business_id")
        if business_id and (self.instance is None or business_id != self.instance.business_id):
            known = Organisation.objects.filter(business_id=business_id).first()
            if known is not None:
                if self.instance is not None or self.client_may_read:
                    raise Conflict({"business_id": [self.unique_message]})
                self._known = known
        return super().validate(attrs)

    def create(self, validated_data):
        if self._known is None:
            return super().create(validated_data)
        self._guarded(
            lambda: _same_work_undone(
                lambda: services.organisation_create(**{**validated_data, "business_id": ""})
            )
        )
        return self._known


class BelongsToPersonSerializer(ServiceSerializer):
    """A row about a person: whose row it is cannot be changed afterwards. A change may repeat
    the row's own person and organisation (a PUT sends the whole row); another id, or a value
    that is no id at all, is a 400, not silently ignored."""

    OWNERS = ("contact", "organisation")

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            for name in self.OWNERS:
                if name in fields:
                    fields[name].read_only = True
        return fields

    def to_internal_value(self, data):
        if self.instance is not None and isinstance(data, dict):
            wrong = {}
            for name in self.OWNERS:
                if name not in data:
                    continue
                value = data[name]
                if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                    wrong[name] = [_("Give a whole number.")]
                elif value != getattr(self.instance, f"{name}_id"):
                    wrong[name] = [_("Whose row this is cannot be changed.")]
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


class MembershipSerializer(BelongsToPersonSerializer):
    class Meta:
        model = Membership
        fields = ["id", *services.MEMBERSHIP_WRITABLE]

    create_service = services.membership_create
    update_service = services.membership_update


class InteractionSerializer(BelongsToPersonSerializer):
    class Meta:
        model = Interaction
        fields = ["id", *services.INTERACTION_WRITABLE, "created_at"]
        read_only_fields = ["created_at"]

    create_service = services.interaction_create
    update_service = services.interaction_update


class ReceivedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["received"])

    class Meta:
        ref_name = "Received"


# --- Schema -------------------------------------------------------------------------------------

_ERROR_RESPONSES = {
    "400": "Invalid input: `errors` names each field or query parameter and what is wrong.",
    "401": "No token, or one that is invalid, revoked or expired.",
    "403": "The token's client lacks the scope this request needs.",
    "404": "No such row.",
    "409": "The row would duplicate one the register has (an email address, a business ID).",
    "413": "The request body is larger than the server takes.",
    "415": "The request body is not JSON.",
    "429": "Too many requests from this client: wait for `Retry-After` seconds.",
    "500": "The server failed; the request changed nothing.",
}


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, plus what every operation can answer: the errors (one shared
    Error component) and, for a create, the 202 a write-only client gets."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self._is_create_operation():
            responses.setdefault(
                "202",
                self._get_response_for_code(
                    OpenApiResponse(
                        ReceivedSerializer,
                        description="A client without the resource's read scope: received "
                        "(the same answer whether or not the register had the row).",
                    ),
                    "202",
                    direction=direction,
                ),
            )
        codes = ["400", "401", "403"]
        if "{" in self.path:
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["409", "413", "415"]
        codes += ["429", "500"]
        for code in codes:
            responses.setdefault(
                code,
                self._get_response_for_code(
                    OpenApiResponse(ApiErrorSerializer, description=_ERROR_RESPONSES[code]),
                    code,
                    direction=direction,
                ),
            )
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, CodeField) and direction == "request":
            schema["enum"] = field.codes() + ([None] if field.allow_null else [])
        # Free text may not hold NUL characters (PostgreSQL cannot store them).
        if (
            direction == "request"
            and schema.get("type") == "string"
            and not {"enum", "format", "pattern"} & schema.keys()
            and not any(isinstance(v, RegexValidator) for v in getattr(field, "validators", []))
        ):
            schema["pattern"] = NO_NUL
        return schema


# --- Views --------------------------------------------------------------------------------------

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="RFC 3339 date-time: only rows changed at or after it.",
)
EMAIL = OpenApiParameter("email", str, description="Exact email address (any case).")


class ApiEndpoint(viewsets.GenericViewSet):
    """What every endpoint of the ingestion API shares, whatever it offers (crm's resources
    below, consent's): the client's token and scopes, JSON bodies only, errors in one shape in
    the client's language, the schema's documented errors, no NUL bytes in parameters, and
    ``Cache-Control: no-store`` (answers hold personal data, or say whether it exists, which no
    cache between the client and here may keep)."""

    authentication_classes = [ApiClientAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ApiClientThrottle]
    parser_classes = [ApiJSONParser]
    schema = ApiSchema()
    scope_resource = ""
    access = "api-client scopes"  # for the access test: every view states who may use it

    def dispatch(self, request, *args, **kwargs):
        """In the client's language (Accept-Language, else Finnish). LocaleMiddleware does not
        read it here: with i18n_patterns, an address without a language prefix is Finnish."""
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
        response["Content-Language"] = language
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        length = request.META.get("CONTENT_LENGTH") or "0"
        handled = hasattr(self, request.method.lower())  # else DRF answers 405, as it should
        if request.method in ("POST", "PUT", "PATCH") and handled and length.strip() in ("0", ""):
            # DRF would read an empty body as {}: a PATCH of nothing. It is not JSON.
            raise exceptions.ParseError(_("The request body is not valid JSON."))
        no_nul = ProhibitNullCharactersValidator()
        for name, values in request.query_params.lists():
            for value in [name, *values]:
                try:
                    no_nul(value)
                except DjangoValidationError as error:
                    raise _invalid_parameter(name.replace("\x00", ""), error.messages[0]) from None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class ApiViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    ApiEndpoint,
):
    """Shared rules of crm's resources (and ApiEndpoint's).

    * A client that may write but not read a resource gets 202 ``{"status": "received"}`` for
      a create, the same whether or not the register had the row, and never an id: ids are
      sequential, so even a new row's id would tell how many there are.
    * A row that names a person or an organisation by id (a role, an interaction) may be sent
      only by a client that may read people (and organisations, to name one): a write-only
      token must not learn which ids exist, nor attach rows to people it cannot see. The
      scope is checked before the ids are looked at.
    * Every read of rows about people writes one access entry per person (``people_of``).
    * Writes run with the client's service user as the audit actor: AuditlogMiddleware runs
      before DRF has authenticated the token.
    """

    pagination_class = IdCursorPagination
    lookup_value_regex = "[0-9]+"
    # (field, the scope a client needs to name a row in it by id, whether the field is required)
    references: tuple[tuple[str, str, bool], ...] = ()

    def people_of(self, rows) -> list:
        """The people the given rows are about (for the access log)."""
        return [row.contact for row in rows]

    def _may_read(self) -> bool:
        return self.request.auth.has_scope(f"{self.scope_resource}:read")

    def create(self, request, *args, **kwargs):
        data = request.data if isinstance(request.data, dict) else {}
        for name, scope, required in self.references:
            if (required or data.get(name) is not None) and not request.auth.has_scope(scope):
                raise exceptions.PermissionDenied(
                    _("Naming a row by id in “%(field)s” needs the scope %(scope)s.")
                    % {"field": name, "scope": scope}
                )
        response = super().create(request, *args, **kwargs)
        if not self._may_read():
            return Response({"status": "received"}, status=status.HTTP_202_ACCEPTED)
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
    """Rows changed at or after ``updated_since``: any RFC 3339 date-time (a filter may ask
    about any year; one beyond what a row can hold finds all rows or none)."""
    value = request.query_params.get("updated_since")
    if value is None:
        return queryset
    try:
        moment = parse_datetime(value)
    except ValueError:  # well formed, but no such moment (February 30th, offset +25:00)
        moment = None
    if moment is None:
        raise _invalid_parameter(
            "updated_since", _("Give an ISO 8601 date and time, e.g. 2026-01-31T12:00:00+02:00.")
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        moment = moment.astimezone(dt.UTC)
    except OverflowError:  # the first or last day of year 1 or 9999, with an offset
        moment = dt.datetime.min if moment.year == 1 else dt.datetime.max
        moment = moment.replace(tzinfo=dt.UTC)
    return queryset.filter(updated_at__gte=moment)


def _log_reads(request, people) -> None:
    """One access entry per person an integration read."""
    log_access_many(request, people, api_client=request.auth.name)


@extend_schema_view(list=extend_schema(parameters=[EMAIL, UPDATED_SINCE]))
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
    references = (("contact", "contacts:read", True), ("organisation", "organisations:read", True))


class InteractionViewSet(ApiViewSet):
    serializer_class = InteractionSerializer
    scope_resource = "interactions"
    queryset = Interaction.objects.select_related("contact")
    references = (
        ("contact", "contacts:read", True),
        ("organisation", "organisations:read", False),
    )
