"""The staff admin for people, organisations and what is done with them.

Pages show related rows read-only in inlines that fetch everything in a fixed number of queries,
whatever a person has; rows are changed on their own pages. Every save goes through
crm.services, and opening a person's page is written to the audit trail.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from . import merge_views, services
from .audit import log_access, log_access_many
from .imports import views as import_views
from .models import (
    ApiClient,
    Contact,
    Industry,
    Interaction,
    Membership,
    Municipality,
    Organisation,
)
from .selectors import contact_duplicates, contact_search


class IndustrySectionFilter(admin.SimpleListFilter):
    title = _("industry (TOL 2008)")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        return [(i.code, str(i)) for i in Industry.objects.filter(level=Industry.Level.SECTION)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(industry__parent__code=self.value())
        return queryset


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
    """A filter with many choices, shown as a select that submits without JavaScript."""

    template = "admin/crm/dropdown_filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.other_params = [
            (k, v) for k, v in request.GET.items() if k not in (self.parameter_name, "p")
        ]

    def options(self):
        """The <option>s, built here: a template loop over 308 municipalities is slow."""
        selected = self.value()
        return format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, " selected" if str(value) == selected else "", label)
                for value, label in self.lookup_choices
            ),
        )


class MunicipalityFilter(DropdownFilter):
    title = _("municipality")
    parameter_name = "municipality"

    def lookups(self, request, model_admin):
        return [(m.code, str(m)) for m in Municipality.objects.filter(active=True)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(municipality__code=self.value())
        return queryset


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


class OrganisationFilter(SingleRowFilter):
    """Contacts of one organisation."""

    title = _("organisation")
    parameter_name = "organisation"
    related_model = Organisation
    lookup = "memberships__organisation_id"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class MembershipInline(ReadOnlyInline):
    model = Membership
    fk_name = "contact"
    fields = ["organisation", "job_title", "work_email", "work_phone", "start_date", "end_date"]
    verbose_name_plural = _("roles in organisations")

    def get_queryset(self, request):
        # The contact too: each row's title is str(membership), which names both.
        return super().get_queryset(request).select_related("organisation", "contact")


class NewMembershipInline(admin.TabularInline):
    """An empty row to add a role; existing roles are listed (and changed) separately."""

    model = Membership
    fk_name = "contact"
    fields = ["organisation", "job_title", "work_email", "work_phone", "start_date"]
    autocomplete_fields = ["organisation"]
    extra = 1
    can_delete = False
    verbose_name_plural = _("add a role in an organisation")

    def get_queryset(self, request):
        return super().get_queryset(request).none()


RECENT_INTERACTIONS = 50


class ContactFilter(SingleRowFilter):
    """Interactions of one person."""

    title = _("contact")
    parameter_name = "contact"
    related_model = Contact
    lookup = "contact_id"


class ContactOrganisationInline(ReadOnlyInline):
    model = Membership
    fk_name = "organisation"
    fields = ["contact", "job_title", "work_email", "work_phone", "start_date", "end_date"]
    verbose_name_plural = _("contact persons")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contact", "organisation")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "email",
        "phone",
        "municipality",
        "subject_category",
        "source",
        "updated_at",
    ]
    list_display_links = ["last_name", "first_name"]
    list_select_related = ["municipality"]
    list_filter = [
        "subject_category",
        "source",
        "preferred_language",
        MunicipalityFilter,
        OrganisationFilter,
    ]
    search_fields = ["last_name", "first_name", "email", "phone"]  # see get_search_results
    search_help_text = _("Name, email, phone number or an organisation's business ID (Y-tunnus).")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    autocomplete_fields = ["municipality"]
    readonly_fields = [
        "source",
        "source_detail",
        "collected_at",
        "created_at",
        "updated_at",
        "possible_duplicates",
        "recent_interactions",
    ]
    actions = ["merge_contacts"]
    fieldsets = [
        (None, {"fields": [("first_name", "last_name"), ("email", "phone")]}),
        (
            _("Address"),
            {"fields": ["street_address", ("postal_code", "post_office"), "municipality"]},
        ),
        (
            _("In the register"),
            {"fields": ["subject_category", "preferred_language", "nationality"]},
        ),
        (
            _("Where the data came from"),
            {"fields": [("source", "source_detail"), "collected_at", ("created_at", "updated_at")]},
        ),
        (_("Interactions"), {"fields": ["recent_interactions"]}),
        (_("Possible duplicates"), {"fields": ["possible_duplicates"]}),
    ]
    inlines = [MembershipInline, NewMembershipInline]

    @admin.display(description=_("latest interactions"))
    def recent_interactions(self, obj):
        """The latest ones as a plain table: one query and fast to render at any count."""
        if obj is None or obj.pk is None:
            return "–"
        latest = list(
            obj.interactions.select_related("staff").order_by("-occurred_at", "-pk")[
                : RECENT_INTERACTIONS + 1
            ]
        )
        links = format_html(
            '<a href="{}?contact={}">{}</a> · <a href="{}?contact={}">{}</a>',
            reverse("admin:crm_interaction_changelist"),
            obj.pk,
            _("all interactions"),
            reverse("admin:crm_interaction_add"),
            obj.pk,
            _("add an interaction"),
        )
        if not latest:
            return format_html("{}<p>{}</p>", _("None yet."), links)
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:crm_interaction_change", args=[i.pk]),
                    date_format(localtime(i.occurred_at), "SHORT_DATETIME_FORMAT"),
                    i.get_kind_display(),
                    Truncator(i.summary).chars(120),
                    i.staff or "",
                )
                for i in latest[:RECENT_INTERACTIONS]
            ),
        )
        more = (
            format_html(
                "<p>{}</p>", _("Only the latest %(n)d are shown.") % {"n": RECENT_INTERACTIONS}
            )
            if len(latest) > RECENT_INTERACTIONS
            else ""
        )
        return format_html(
            '<table class="recent-interactions"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>{}<p>{}</p>",
            _("when"),
            _("kind"),
            _("summary"),
            _("staff member"),
            rows,
            more,
            links,
        )

    @admin.display(description=_("possible duplicates"))
    def possible_duplicates(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        others = contact_duplicates(obj)
        if not others:
            return _("None found.")
        changelist = reverse("admin:crm_contact_changelist")
        return format_html_join(
            ", ",
            '<a href="{}">{}</a> (<a href="{}?merge={}&amp;into={}">{}</a>)',
            (
                (
                    reverse("admin:crm_contact_change", args=[o.pk]),
                    f"{o} <{o.email}>" if o.email else str(o),
                    changelist,
                    o.pk,
                    obj.pk,
                    _("merge into this one"),
                )
                for o in others
            ),
        )

    def has_merge_permission(self, request):
        return request.user.has_perm("crm.merge_contacts")

    @admin.action(description=_("Merge the two selected contacts"), permissions=["merge"])
    def merge_contacts(self, request, queryset):
        people = list(queryset.order_by("pk")[:3])
        if len(people) != 2:
            self.message_user(
                request, _("Select exactly two contacts to merge."), level=messages.ERROR
            )
            return None
        return merge_views.confirm(request, self, people)

    def get_search_results(self, request, queryset, search_term):
        return contact_search(queryset, search_term), False

    def has_delete_permission(self, request, obj=None):
        # Erasure anonymises as the declarations say (privacy workflow); a delete would not.
        return False

    def get_urls(self):
        own = [
            path(
                "merge/",
                self.admin_site.admin_view(merge_views.merge_view),
                name="crm_contact_merge",
            ),
            path(
                "import/",
                self.admin_site.admin_view(import_views.upload_view),
                name="crm_contact_import",
            ),
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(import_views.job_view),
                name="crm_contact_import_job",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": request.user.has_perm("crm.import_contacts"),
        }
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            log_access_many(request, changelist.result_list)  # the people this page shows
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            contact = response.context_data.get("original")
            if contact is not None:
                log_access(contact)
        return response

    def save_model(self, request, obj, form, change):
        services.contact_save(contact=obj)

    def save_formset(self, request, form, formset, change):
        for membership in formset.save(commit=False):
            services.membership_save(membership=membership)
        formset.save_m2m()


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "business_id", "industry", "municipality", "relationship", "contacts"]
    list_select_related = ["industry", "municipality"]
    list_filter = ["relationship", "is_owner", IndustrySectionFilter, MunicipalityFilter]
    search_fields = ["name", "business_id"]
    show_full_result_count = False
    autocomplete_fields = ["industry", "municipality"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "business_id", "industry", "relationship", "is_owner"]}),
        (
            _("Address"),
            {"fields": ["street_address", ("postal_code", "post_office"), "municipality"]},
        ),
        (None, {"fields": ["notes", ("created_at", "updated_at")]}),
    ]
    inlines = [ContactOrganisationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(contact_count=Count("memberships"))

    @admin.display(description=_("contact persons"), ordering="contact_count")
    def contacts(self, obj):
        url = reverse("admin:crm_contact_changelist") + f"?organisation={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.contact_count)

    def save_model(self, request, obj, form, change):
        services.organisation_save(organisation=obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Changed from the contact's page; not listed on the admin index."""

    list_display = ["contact", "organisation", "job_title"]
    list_select_related = ["contact", "organisation"]
    autocomplete_fields = ["contact", "organisation"]

    def has_module_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        services.membership_save(membership=obj)


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "kind", "contact", "organisation", "staff"]
    list_select_related = ["contact", "organisation", "staff"]
    list_filter = ["kind", "occurred_at", ContactFilter]
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    autocomplete_fields = ["contact", "organisation"]
    readonly_fields = ["staff", "created_at"]
    fieldsets = [
        (None, {"fields": ["contact", "organisation", "kind", "occurred_at", "summary"]}),
        (
            _("Chat conversation"),
            {
                "fields": ["transcript", "browser", "operating_system", "referrer"],
                "classes": ["collapse"],
            },
        ),
        (None, {"fields": ["staff", "created_at"]}),
    ]

    search_fields = ["contact__last_name"]  # see get_search_results

    def get_search_results(self, request, queryset, search_term):
        contacts = contact_search(Contact.objects.all(), search_term)
        return queryset.filter(contact__in=contacts), False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            log_access_many(request, [i.contact for i in changelist.result_list])
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        interaction = getattr(response, "context_data", {}).get("original")
        if request.method == "GET" and interaction is not None:
            log_access_many(request, [interaction.contact])
        return response

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("kind", Interaction.Kind.CALL)
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.staff = request.user
        services.interaction_save(interaction=obj)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    """Reference data; listed for autocomplete only."""

    search_fields = ["name_fi", "name_sv", "code"]

    def has_module_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        # Public reference data: any active staff member may look it up (autocomplete).
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Industry)
class IndustryAdmin(MunicipalityAdmin):
    search_fields = ["code", "name_fi", "name_sv", "name_en"]

    def get_search_results(self, request, queryset, search_term):
        queryset = queryset.filter(level=Industry.Level.DIVISION)
        return super().get_search_results(request, queryset, search_term)


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=ApiClient.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "scopes", "is_active"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "scope_list", "is_active", "last_used_at", "created_at"]
    readonly_fields = ["last_used_at", "created_at"]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    def get_fields(self, request, obj=None):
        fields = ["name", "scopes", "is_active"]
        return fields + (["last_used_at", "created_at"] if obj else [])

    def get_readonly_fields(self, request, obj=None):
        # The name is in every audit entry the client wrote; it does not change afterwards.
        return [*self.readonly_fields, "name"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # revoke by deactivating: the audit trail keeps naming the client

    def save_model(self, request, obj, form, change):
        if change:
            services.api_client_update(
                client=obj, scopes=form.cleaned_data["scopes"], is_active=obj.is_active
            )
            return
        client, token = services.api_client_create(
            name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"]
        )
        obj.pk = client.pk
        messages.warning(
            request,
            format_html(
                "{} <code>{}</code>",
                _("The token of this API client, shown only now: copy it to the integration."),
                token,
            ),
        )


class StaffUserAdmin(UserAdmin):
    """Administrators manage staff accounts and their roles, but only a superuser can grant
    superuser status or single permissions, or change a superuser."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions", "last_login", "date_joined"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
