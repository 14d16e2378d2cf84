"""Reusable pieces of the staff admin: a paginator for big tables, list filters, a read-only
inline and the access logging that every page showing people uses.

Nothing here knows a crm model; crm/admin.py puts them together for the register's models (and
the consent and events admins can use them the same way).
"""

from collections.abc import Iterable

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

from .audit import log_access_many


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

    def lookups(self, request, model_admin):
        value = self.value()
        if value and value.isdigit():
            row = self.related_model._default_manager.filter(pk=value).first()
            if row:
                return [(value, str(row))]
        return []

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
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
