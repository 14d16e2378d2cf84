"""The staff admin for people, organisations and what is done with them.

Pages show related rows read-only in inlines that fetch everything in a fixed number of queries,
whatever a person has; rows are changed on their own pages. Every save goes through
crm.services, and every person a page shows is written to the audit trail
(``AccessLoggedAdmin``). The generic pieces (paginator, filters, the read-only inline, the access
logging) are in crm/admin_tools.py, the HTML in templates/admin/crm/; the staff accounts' admin
is in config/admin.py with the rest of the accounts code.
"""

import re

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from . import merge_views, services
from .admin_tools import (
    AccessLoggedAdmin,
    DropdownFilter,
    EstimatedCountPaginator,
    OfferedFiltersOnly,
    ReadOnlyInline,
    SingleRowFilter,
    ViewOnlyAdmin,
)
from .forms import ContactAdminForm
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

    @staticmethod
    def value_is_valid(value: str) -> bool:
        return re.fullmatch(r"[A-Z]", value) is not None  # a TOL 2008 section letter

    def lookups(self, request, model_admin):
        return [(i.code, str(i)) for i in Industry.objects.filter(level=Industry.Level.SECTION)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(industry__parent__code=self.value())
        return queryset


class MunicipalityFilter(DropdownFilter):
    title = _("municipality")
    parameter_name = "municipality"

    @staticmethod
    def value_is_valid(value: str) -> bool:
        return re.fullmatch(r"[0-9]{3}", value) is not None  # Statistics Finland's code

    def lookups(self, request, model_admin):
        return [(m.code, str(m)) for m in Municipality.objects.filter(active=True)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(municipality__code=self.value())
        return queryset


class OrganisationFilter(SingleRowFilter):
    """Contacts of one organisation."""

    title = _("organisation")
    parameter_name = "organisation"
    related_model = Organisation
    lookup = "memberships__organisation_id"


class MembershipInline(ReadOnlyInline):
    model = Membership
    fk_name = "contact"
    fields = ["organisation", "job_title", "work_email", "work_phone", "start_date", "end_date"]
    verbose_name_plural = _("roles in organisations")

    def get_queryset(self, request):
        # The contact too: each row's title is str(membership), which names both.
        return super().get_queryset(request).select_related("organisation", "contact")

    def people_in_row(self, membership):
        return [membership.contact]


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

    def people_in_row(self, membership):
        return [membership.contact]


# Every save below goes through crm.services with the form's cleaned values.


def _form_values(form) -> dict:
    """The cleaned values of the fields a form shows (read-only ones are not among them)."""
    return dict(form.cleaned_data)


def _form_changes(form) -> dict:
    """The cleaned values of the fields the user changed: all an update service is given."""
    return {name: form.cleaned_data[name] for name in form.changed_data}


def _becomes(obj, saved) -> None:
    """The admin goes on with the object its form built (inlines, its log, the redirect): make
    it the row the service saved."""
    vars(obj).update(vars(saved))


@admin.register(Contact)
class ContactAdmin(OfferedFiltersOnly, AccessLoggedAdmin, admin.ModelAdmin):
    form = ContactAdminForm
    list_display = [
        "last_name",
        "first_name",
        "email",
        "phone",
        "municipality",
        "subject_category",
        "source",
        "updated",
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
    ]
    # The latest interactions and the possible duplicates follow the fieldsets
    # (templates/admin/crm/contact/change_form.html), each only for a role that may see it.
    inlines = [MembershipInline, NewMembershipInline]

    @admin.display(description=_("updated"), ordering="updated_at")
    def updated(self, obj):
        """The day only: a full date and time takes a fifth of a laptop-wide list."""
        if obj.updated_at is None:
            return ""
        return date_format(localtime(obj.updated_at), "SHORT_DATE_FORMAT")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """A person's page carries its summaries only for staff whose role may see what they
        show: the interactions with crm.view_interaction, the merge link with the right to
        merge. Each summary is a fixed number of queries, whatever a person has."""
        context["recent_interactions"] = context["possible_duplicates"] = None
        if obj is not None and obj.pk is not None:
            if request.user.has_perm("crm.view_interaction"):
                latest = list(
                    obj.interactions.select_related("staff").order_by("-occurred_at", "-pk")[
                        : RECENT_INTERACTIONS + 1
                    ]
                )
                context["recent_interactions"] = latest[:RECENT_INTERACTIONS]
                context["more_interactions"] = len(latest) > RECENT_INTERACTIONS
                context["interaction_limit"] = RECENT_INTERACTIONS
            context["possible_duplicates"] = contact_duplicates(obj)
            context["may_merge"] = self.has_merge_permission(request)
            context["audit_log_url"] = _audit_log_url(request, obj.pk)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        """Django's history lists only the admin's own saves; the audit log holds every change
        by every door, and what a merge moved and filled: the page leads there, for staff who
        may read it."""
        url = None
        if str(object_id).isdigit() and len(str(object_id)) < 19:
            url = _audit_log_url(request, object_id)
        return super().history_view(
            request, object_id, {**(extra_context or {}), "audit_log_url": url}
        )

    def has_merge_permission(self, request):
        # What the merge view itself asks for (crm/merge_views.py).
        return request.user.has_perms(["crm.merge_contacts", "crm.change_contact"])

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
        self.check_search_term(search_term)
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
                "import/example.csv",
                self.admin_site.admin_view(import_views.example_view),
                name="crm_contact_import_example",
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
        return super().changelist_view(request, extra_context)

    def people_in_row(self, contact):
        return [contact]

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.contact_update(
                contact=Contact.objects.get(pk=obj.pk), **_form_changes(form)
            )
        else:
            saved = services.contact_create(source=Contact.Source.STAFF, **_form_values(form))
        _becomes(obj, saved.instance)

    def save_formset(self, request, form, formset, change):
        """Roles are added (and, were an inline to allow it, changed) through the services;
        the lists are what the admin's own history message reads."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.initial_forms:
            if changes := _form_changes(row):
                saved = services.membership_update(
                    membership=Membership.objects.get(pk=row.instance.pk), **changes
                )
                formset.changed_objects.append((saved.instance, list(saved.changes)))
        for row in formset.extra_forms:
            if row.has_changed():
                values = {
                    name: value
                    for name, value in row.cleaned_data.items()
                    if name not in ("id", formset.fk.name)
                }
                saved = services.membership_create(contact=formset.instance, **values)
                formset.new_objects.append(saved.instance)


@admin.register(Organisation)
class OrganisationAdmin(OfferedFiltersOnly, AccessLoggedAdmin, admin.ModelAdmin):
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

    def people_in_row(self, organisation):
        return []  # the list shows a count; the page's inline shows the people, and logs them

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.organisation_update(
                organisation=Organisation.objects.get(pk=obj.pk), **_form_changes(form)
            )
        else:
            saved = services.organisation_create(**_form_values(form))
        _becomes(obj, saved.instance)


@admin.register(Membership)
class MembershipAdmin(OfferedFiltersOnly, AccessLoggedAdmin, admin.ModelAdmin):
    """Changed from the contact's page; not listed on the admin index."""

    list_display = ["contact", "organisation", "job_title"]
    list_select_related = ["contact", "organisation"]
    autocomplete_fields = ["contact", "organisation"]

    def has_module_permission(self, request):
        return False

    def people_in_row(self, membership):
        return [membership.contact]

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.membership_update(
                membership=Membership.objects.get(pk=obj.pk), **_form_changes(form)
            )
        else:
            saved = services.membership_create(**_form_values(form))
        _becomes(obj, saved.instance)


@admin.register(Interaction)
class InteractionAdmin(OfferedFiltersOnly, AccessLoggedAdmin, admin.ModelAdmin):
    list_display = ["occurred_at", "kind", "contact", "organisation", "staff_member"]
    list_select_related = ["contact", "organisation", "staff"]
    list_filter = ["kind", "occurred_at", ContactFilter]
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    autocomplete_fields = ["contact", "organisation"]
    readonly_fields = ["staff_member", "created_at"]
    fieldsets = [
        (None, {"fields": ["contact", "organisation", "kind", "occurred_at", "summary"]}),
        (
            _("Chat conversation"),
            {
                "fields": ["transcript", "browser", "operating_system", "referrer"],
                "classes": ["collapse"],
            },
        ),
        (None, {"fields": ["staff_member", "created_at"]}),
    ]

    @admin.display(description=_("staff member"))
    def staff_member(self, obj):
        """The name only: a read-only foreign key would link to the staff account's page,
        which only administrators may open. The name kept when the account was deleted."""
        return (obj.staff_shown if obj else "") or "–"

    search_fields = ["contact__last_name"]  # see get_search_results

    def get_search_results(self, request, queryset, search_term):
        self.check_search_term(search_term)
        contacts = contact_search(Contact.objects.all(), search_term)
        return queryset.filter(contact__in=contacts), False

    def people_in_row(self, interaction):
        return [interaction.contact]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("kind", Interaction.Kind.CALL)
        return initial

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.interaction_update(
                interaction=Interaction.objects.get(pk=obj.pk), **_form_changes(form)
            )
        else:
            saved = services.interaction_create(staff=request.user, **_form_values(form))
        _becomes(obj, saved.instance)


def _audit_log_url(request, person_id) -> str | None:
    """The audit log filtered to one person (privacy/admin.py's PersonFilter), or None for
    staff whose role may not read the log."""
    if not request.user.has_perm("auditlog.view_logentry"):
        return None
    return f"{reverse('admin:auditlog_logentry_changelist')}?person={int(person_id)}"


@admin.register(Municipality)
class MunicipalityAdmin(OfferedFiltersOnly, ViewOnlyAdmin, admin.ModelAdmin):
    """Reference data; listed for autocomplete only."""

    search_fields = ["name_fi", "name_sv", "code"]

    def has_module_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        # Public reference data that anyone working with the register may look up (autocomplete,
        # the link on a person's page); staff without a role have no page around it.
        user = request.user
        return user.is_active and user.is_staff and user.has_module_perms("crm")


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
        fields = ["name", "scopes", "is_active", "expires_at"]


@admin.register(ApiClient)
class ApiClientAdmin(OfferedFiltersOnly, admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "scope_list", "is_active", "last_used_at", "created_at"]
    readonly_fields = ["issued_at", "last_used_at", "created_at"]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    def get_fields(self, request, obj=None):
        fields = ["name", "scopes", "is_active", "expires_at"]
        return fields + (["issued_at", "last_used_at", "created_at"] if obj else [])

    def get_readonly_fields(self, request, obj=None):
        # The name is in every audit entry the client wrote; it does not change afterwards.
        return [*self.readonly_fields, "name"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # revoke by deactivating: the audit trail keeps naming the client

    def save_model(self, request, obj, form, change):
        if change:
            stored = ApiClient.objects.get(pk=obj.pk)
            changes = _form_changes(form)
            # Reactivating a revoked client issues a new token: the old one stays dead.
            reactivated = changes.get("is_active") is True and not stored.is_active
            if reactivated:
                del changes["is_active"]  # api_client_rotate_token reactivates
            saved = services.api_client_update(api_client=stored, **changes)
            if reactivated:
                saved, token = services.api_client_rotate_token(api_client=saved.instance)
                messages.warning(
                    request,
                    render_to_string("admin/crm/apiclient/token_message.html", {"token": token}),
                )
            _becomes(obj, saved.instance)
            return
        saved, token = services.api_client_create(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.cleaned_data.get("expires_at"),
        )
        _becomes(obj, saved.instance)
        messages.warning(
            request, render_to_string("admin/crm/apiclient/token_message.html", {"token": token})
        )


# allauth's Authenticator has no verbose name, so the admin index would say "Authenticators" in
# every language; the rest of its words and auditlog's are translated in our catalogue
# (admin_tools.OTHER_APPS_PHRASES).
Authenticator._meta.verbose_name = _("authenticator")
Authenticator._meta.verbose_name_plural = _("authenticators")
