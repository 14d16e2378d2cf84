"""Reusable pieces of the staff admin: a paginator for big tables, list filters, a read-only
inline, the access logging that every page showing people uses, and the guard that lets a list
be filtered only as it offers (``OfferedFiltersOnly``, on every registered admin).

Nothing here knows a crm model; crm/admin.py puts them together for the register's models (and
the consent and events admins can use them the same way).
"""

import re
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache

from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.admin.options import IS_FACETS_VAR, IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.views.main import (
    ALL_VAR,
    ERROR_FLAG,
    ORDER_VAR,
    PAGE_VAR,
    SEARCH_VAR,
)
from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.db import connection, models
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .audit import log_access_many

# A search staff type is a name, an address or a number; anything longer is not a search, and a
# thousand words would be a thousand conditions in one query.
MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 10
MAX_FILTER_VALUE_LENGTH = 200


class EstimatedCountPaginator(Paginator):
    """Counting every row of a large table for the page numbers costs more than the page itself;
    for an unfiltered list of more than 10,000 rows PostgreSQL's own estimate is used (kept
    fresh by autovacuum). Filtered and small lists are counted exactly."""

    @cached_property
    def count(self):
        queryset = self.object_list
        if connection.vendor != "postgresql" or queryset.query.where:
            return super().count
        # One query either way: the estimate, or for a small table the exact count (PostgreSQL
        # runs the sub-select only when that branch is taken).
        table = connection.ops.quote_name(queryset.model._meta.db_table)  # the model's own
        sql = f"SELECT CASE WHEN reltuples > 10000 THEN reltuples::bigint ELSE (SELECT count(*) FROM {table}) END FROM pg_class WHERE oid = %s::regclass"  # noqa: E501, S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [queryset.model._meta.db_table])
            return cursor.fetchone()[0]


def usable_text(value: str) -> bool:
    """Text a database can be asked about: PostgreSQL refuses NUL bytes outright."""
    return "\x00" not in value and len(value) <= MAX_FILTER_VALUE_LENGTH


def is_row_id(value: str) -> bool:
    """A positive id that fits a 64-bit column (``isdigit`` alone takes "²" and 10**40)."""
    return value.isascii() and value.isdigit() and 0 < int(value) < 2**63


class DropdownFilter(admin.SimpleListFilter):
    """A filter with many choices (308 municipalities), shown as a select that submits without
    JavaScript instead of a column of 308 links."""

    template = "admin/crm/dropdown_filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.other_params = [
            (k, v) for k, v in request.GET.items() if k not in (self.parameter_name, "p")
        ]

    def option_values(self) -> list[tuple[str, str, bool]]:
        """(value, label, selected) per choice, so the template's loop only prints them: the
        loop then costs about what building the options in Python did (measured with the 308
        municipalities)."""
        selected = self.value()
        return [(value, label, str(value) == selected) for value, label in self.lookup_choices]

    def choices(self, changelist):
        # Django's link per choice (a query string each, and facet counts when asked for) would
        # be built for 308 municipalities and never shown: the select submits the value itself.
        return []


class SingleRowFilter(admin.SimpleListFilter):
    """Rows belonging to one related row, reached by a link from that row's page; it never lists
    every organisation or person as choices."""

    related_model: type = None
    lookup = ""  # e.g. "memberships__organisation_id"

    @staticmethod
    def value_is_valid(value: str) -> bool:
        return is_row_id(value)

    def lookups(self, request, model_admin):
        value = self.value()
        if value and is_row_id(value):
            row = self.related_model._default_manager.filter(pk=value).first()
            if row:
                return [(value, str(row))]
        return []

    def queryset(self, request, queryset):
        if self.value() and is_row_id(self.value()):
            return queryset.filter(**{self.lookup: self.value()}).distinct()
        return queryset


class ReadOnlyInline(admin.TabularInline):
    """Related rows listed on a page, each changed on its own page."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class ViewOnlyAdmin:
    """For rows only services write (a log, a ledger, reference data): staff with the view
    permission look; nobody adds, changes or deletes them in the admin. Mix in before
    ``admin.ModelAdmin``."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AccessLoggedAdmin:
    """For an admin whose pages show people's personal data: every person a staff member is
    shown gets an access entry in the audit trail (who saw whom, when, from where), so the
    controller can answer "who has looked at my data" and the DPO can spot browsing.

    A list page logs the people in its rows; a change page (GET) logs its row's people and the
    people in the rows of its inlines that have ``people_in_row`` too (an organisation's page
    lists its people's work email and phone). Mix in before ``admin.ModelAdmin`` and say whose
    data a row shows with ``people_in_row``.
    """

    def people_in_row(self, row) -> Iterable:
        """The people (crm.Contact rows) whose data ``row`` shows; already loaded, no queries."""
        raise NotImplementedError(f"{type(self).__name__} must say whose data a row shows")

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            people = [p for row in changelist.result_list for p in self.people_in_row(row)]
            log_access_many(request, people)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            context = getattr(response, "context_data", {})
            if context.get("original") is not None:
                log_access_many(request, self.people_on_page(context))
        return response

    def people_on_page(self, context) -> list:
        people = list(self.people_in_row(context["original"]))
        for inline_admin_formset in context.get("inline_admin_formsets", []):
            people_in_row = getattr(inline_admin_formset.opts, "people_in_row", None)
            if people_in_row is not None:
                # The forms the page renders: the formset caches its rows, so this costs
                # no query of its own.
                for form in inline_admin_formset.formset.initial_forms:
                    people.extend(people_in_row(form.instance))
        return people


# --- Only the filters a list offers ---------------------------------------------------------

# The list's own parameters (search, page, ordering, popups), which are not filters.
LIST_PARAMETERS = {ALL_VAR, ORDER_VAR, PAGE_VAR, SEARCH_VAR, IS_FACETS_VAR, IS_POPUP_VAR}
LIST_PARAMETERS |= {TO_FIELD_VAR, ERROR_FLAG}
DATE_PARTS = ("year", "month", "day")


def _accepts_any(value: str) -> bool:
    return usable_text(value)


def _accepted_by(field) -> Callable[[str], bool]:
    """A check that ``value`` is one ``field`` could hold (its type, choices and range)."""

    def check(value: str) -> bool:
        if not usable_text(value):
            return False
        try:
            field.clean(value, None)
        except ValidationError:
            return False
        return True

    return check


def _field_filter_parameters(model, path: str) -> dict[str, Callable[[str], bool]]:
    """The parameters Django's list filter for the field at ``path`` uses (see
    django/contrib/admin/filters.py), each with a check of its value."""
    try:
        field = get_fields_from_path(model, path)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return {}
    parameters = {f"{path}__isnull": _accepts_any, f"{path}__isempty": _accepts_any}
    if field.is_relation:
        target = field.target_field
        parameters[f"{path}__{target.name}__exact"] = _accepted_by(target)
    elif isinstance(field, models.DateField):  # a DateTimeField is one too
        parameters[f"{path}__gte"] = parameters[f"{path}__lt"] = _accepted_by(field)
    else:
        parameters[path] = parameters[f"{path}__exact"] = _accepted_by(field)
    return parameters


def _date_parts_valid(year: str, month: str | None, day: str | None) -> bool:
    parts = [year, month or "1", day or "1"]
    if not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        return False
    try:
        date(*map(int, parts))
    except ValueError:
        return False
    return True


class _PageWithinRange:
    """A page number past either end shows the nearest page, as Django's ``get_page`` does,
    instead of the admin's "database error" page."""

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            return 1 if int(number) < 1 else max(self.num_pages, 1)


@cache
def _within_range(paginator_class: type) -> type:
    return type(paginator_class.__name__, (_PageWithinRange, paginator_class), {})


class OfferedFiltersOnly:
    """A list is filtered only by the filters its admin offers (``list_filter``,
    ``date_hierarchy``), and only with values their fields can hold.

    Django lets a staff member type any lookup on a model field into the address
    (``?last_name__regex=…``, ``?email__contains=…``), which turns the list into a way to probe
    data the page never shows and costs the database whatever the lookup costs; and a value the
    database refuses (a NUL byte, a number past any column's range, letters for an id) becomes a
    server error. Here a parameter the list does not offer, or a value it cannot use, is left
    out and the staff member is told so; ``lookup_allowed`` refuses (400) anything that gets
    past. Mixed into every admin: the register's directly, the others' (staff accounts, the
    audit log, allauth's) by ``offer_only_listed_filters``.
    """

    def offered_filters(self, request) -> dict[str, Callable[[str], bool]]:
        """Each parameter the list's filters use, with a check of its value."""
        offered = {}
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                offered[item.parameter_name] = getattr(
                    item, "value_is_valid", self._one_of_the_choices(request, item)
                )
            else:
                path = item[0] if isinstance(item, list | tuple) else item
                offered.update(_field_filter_parameters(self.model, path))
        if self.date_hierarchy:
            for part in DATE_PARTS:
                offered[f"{self.date_hierarchy}__{part}"] = _accepts_any  # checked together
        return offered

    def _one_of_the_choices(self, request, filter_class) -> Callable[[str], bool]:
        """For a filter that does not check its values itself (another app's): one of the
        choices it lists, or any text if it lists none (a free-text filter)."""

        def check(value: str) -> bool:
            if not usable_text(value):
                return False
            spec = filter_class(request, {}, self.model, self)
            choices = {str(choice) for choice, _label in spec.lookup_choices}
            return not choices or value in choices

        return check

    def _raw_id_lookup(self, lookup, value) -> bool:
        # The lookups a raw-id popup adds for a ForeignKey's limit_choices_to (Django's rule).
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        return False

    def lookup_allowed(self, lookup, value, request=None):
        if self._raw_id_lookup(lookup, value):
            return True
        return request is not None and lookup in self.offered_filters(request)

    def changelist_view(self, request, extra_context=None):
        request.GET = self._usable_parameters(request)
        return super().changelist_view(request, extra_context)

    def _usable_parameters(self, request) -> QueryDict:
        offered = self.offered_filters(request)
        kept = QueryDict(mutable=True)
        left_out = []
        for name, values in request.GET.lists():
            if name in LIST_PARAMETERS:
                usable = [v for v in values if self._list_parameter_valid(name, v)]
            elif name in offered:
                usable = [v for v in values if offered[name](v)]
            else:
                messages.warning(request, self._not_offered_message(name))
                continue
            if len(usable) < len(values):
                left_out.append(name)
            if usable:
                kept.setlist(name, usable)
        if self.date_hierarchy:
            year, month, day = (kept.get(f"{self.date_hierarchy}__{p}") for p in DATE_PARTS)
            # A month or day without a year would be taken as a filter of its own.
            if (year is None and (month, day) != (None, None)) or (
                year is not None and not _date_parts_valid(year, month, day)
            ):
                for part in DATE_PARTS:
                    kept.pop(f"{self.date_hierarchy}__{part}", None)
                left_out.append(self.date_hierarchy)
        for name in left_out:
            messages.warning(request, self._left_out_message(name))
        kept._mutable = False
        return kept

    def _list_parameter_valid(self, name: str, value: str) -> bool:
        if "\x00" in value:
            return False
        if name == SEARCH_VAR:
            return len(value) <= MAX_SEARCH_LENGTH and len(value.split()) <= MAX_SEARCH_WORDS
        if name == PAGE_VAR:
            return value.isascii() and value.isdigit() and len(value) <= 9
        return len(value) <= MAX_FILTER_VALUE_LENGTH

    @staticmethod
    def _shown(name: str) -> str:
        return re.sub(r"[^\w.-]", "?", name)[:60]

    def _not_offered_message(self, name: str) -> str:
        return _("This list cannot be filtered by “%(parameter)s”; it was left out.") % {
            "parameter": self._shown(name)
        }

    def _left_out_message(self, name: str) -> str:
        if name == SEARCH_VAR:
            return _(
                "The search was left out: type at most %(length)s characters and %(words)s "
                "words, without control characters."
            ) % {"length": MAX_SEARCH_LENGTH, "words": MAX_SEARCH_WORDS}
        return _(
            "The value given for “%(parameter)s” cannot be used; that filter was left out."
        ) % {"parameter": self._shown(name)}

    def check_search_term(self, search_term: str) -> None:
        """Refuse (400) a search no one types; an admin that overrides ``get_search_results``
        calls this first. The list's search was checked with its other parameters, so this
        answers the autocomplete's, which is JSON."""
        if not self._list_parameter_valid(SEARCH_VAR, search_term or ""):
            raise BadRequest("The search term is too long or has control characters.")

    def get_search_results(self, request, queryset, search_term):
        self.check_search_term(search_term)
        return super().get_search_results(request, queryset, search_term)

    def get_changeform_initial_data(self, request):
        """An add page's address may fill in fields (``?contact=12``); a value the field cannot
        hold is left out with a message, not sent on to the form's widgets (a related-object
        widget looks the value up, and a NUL byte or letters for an id fail there)."""
        initial = super().get_changeform_initial_data(request)
        usable = {}
        for name, value in initial.items():
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue  # not a field: the form never reads it
            check = _accepted_by(field.target_field if field.is_relation else field)
            if all(check(str(v)) for v in (value if isinstance(value, list) else [value])):
                usable[name] = value
            else:
                messages.warning(request, self._left_out_message(name))
        return usable

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator_class = _within_range(self.paginator)
        return paginator_class(queryset, per_page, orphans, allow_empty_first_page)


def offer_only_listed_filters(site: admin.AdminSite) -> None:
    """Give every admin registered on ``site`` the guard of ``OfferedFiltersOnly``: the
    register's admins have it already; staff accounts', the audit log's and allauth's get a
    subclass of their own admin with it, registered in its place."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, OfferedFiltersOnly):
            continue
        guarded = type(type(model_admin).__name__, (OfferedFiltersOnly, type(model_admin)), {})
        site.unregister(model)
        site.register(model, guarded)


# --- Other apps' words in the admin -----------------------------------------------------------

# Phrases of Django's admin, allauth and auditlog that our catalogue translates again (it takes
# precedence over theirs; listing them here keeps makemessages from dropping them). Finnish puts
# a noun after a number in the partitive ("200 henkilöä"), which a phrase built from the model's
# plural name ("Valitse kaikki 200 henkilöt") cannot do, so those read "henkilöt (200)"; the
# superuser flag must not share its Finnish name with the Administrator role (Pääkäyttäjä); and
# the admin index names no app or model in English.
OTHER_APPS_PHRASES = [
    gettext_noop("Select all %(total_count)s %(module_name)s"),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    gettext_noop("superuser status"),
    gettext_noop("MFA"),
    gettext_noop("TOTP Authenticator"),
    gettext_noop("Audit log"),
    gettext_noop("log entry"),
    gettext_noop("log entries"),
    gettext_noop("Accounts"),
]
