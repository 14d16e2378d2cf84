"""The staff admin of events: events with their questions and recipients, the participant list
with check-in, exports (CSV through privacy/csv.py, PDF through WeasyPrint), sending a list to a
recipient (logged as a disclosure), statistics without personal data, the disclosure log and the
shredder (preview, hand run, its log).

Every page showing people logs who saw whom (``AccessLoggedAdmin``, ``log_access_many``); every
page of our own says which permission it needs and checks it.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from config.access import client_address
from crm.admin_tools import (
    AccessLoggedAdmin,
    OfferedFiltersOnly,
    ReadOnlyInline,
    SingleRowFilter,
    ViewOnlyAdmin,
)
from crm.audit import log_access_many
from crm.models import Contact
from crm.selectors import contact_search
from privacy.csv import streaming_csv_response

from . import services, shredder, staff
from .forms import RegistrationForm as PublicRegistrationForm
from .models import (
    RECIPIENT_FIELDS,
    Choice,
    DisclosedPerson,
    Disclosure,
    Event,
    Question,
    Recipient,
    Registration,
    ShredRun,
)
from .statistics import OTHER, event_statistics


def _access(view, rule: str):
    """Say who may use an admin page of our own (the access test reads it)."""
    view.access = f"staff; {rule}"
    return view


def _statuses(request) -> list[str]:
    """The statuses chosen in the address (``?status=confirmed&status=attended``); unknown
    values are left out, none chosen means all."""
    return [s for s in request.GET.getlist("status") if s in Registration.Status.values]


class EventFilter(SingleRowFilter):
    title = _("event")
    parameter_name = "event"
    related_model = Event
    lookup = "event_id"


# --- Events -----------------------------------------------------------------------------------


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        ("kind", "order", "required", "sensitive"),
        ("text_fi", "text_sv", "text_en"),
        ("consent_text_fi", "consent_text_sv", "consent_text_en"),
    ]
    show_change_link = True  # the choices of a choice question are edited on its own page


class RecipientForm(forms.ModelForm):
    fields = forms.MultipleChoiceField(
        label=_("registration fields it may receive"),
        choices=list(RECIPIENT_FIELDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Recipient
        fields = ["name", "kind", "email", "fields", "questions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        event_id = getattr(self.instance, "event_id", None) or getattr(
            self.parent_event, "pk", None
        )
        self.fields["questions"].queryset = Question.objects.filter(event_id=event_id or 0)
        self.fields["questions"].help_text = _(
            "Only this event's questions; save the event's new questions first."
        )

    parent_event = None


class RecipientInline(admin.StackedInline):
    model = Recipient
    form = RecipientForm
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type("RecipientFormFor", (self.form,), {"parent_event": obj})
        return formset


@admin.register(Event)
class EventAdmin(OfferedFiltersOnly, admin.ModelAdmin):
    list_display = ["title_fi", "starts_at", "capacity", "registered", "is_published", "shredded"]
    list_filter = ["is_published"]
    search_fields = ["title_fi", "title_sv", "title_en", "slug"]
    date_hierarchy = "starts_at"
    inlines = [QuestionInline, RecipientInline]
    actions = ["publish", "unpublish"]
    readonly_fields = ["shredded_at", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["title_fi"]}
    fieldsets = [
        (None, {"fields": ["slug", ("title_fi", "title_sv", "title_en")]}),
        (_("Description"), {"fields": ["description_fi", "description_sv", "description_en"]}),
        (
            _("Organiser"),
            {"fields": ["organiser_unit", ("contact_name", "contact_email", "contact_phone")]},
        ),
        (
            _("Time and place"),
            {
                "fields": [
                    ("starts_at", "ends_at"),
                    "venue",
                    ("registration_opens_at", "registration_closes_at"),
                    "capacity",
                ]
            },
        ),
        (_("Price"), {"fields": [("price", "vat_rate")]}),
        (
            _("Participants' data"),
            {"fields": ["networking_offered", "retention_days", "is_published", "shredded_at"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        promoted = services.event_save(event=obj)
        if promoted:
            self.message_user(
                request,
                ngettext(
                    "%(count)d person moved from the waiting list to the free place and was "
                    "told by email.",
                    "%(count)d people moved from the waiting list to the free places and were "
                    "told by email.",
                    len(promoted),
                )
                % {"count": len(promoted)},
                messages.SUCCESS,
            )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_count=Count(
                    "registrations",
                    filter=Q(registrations__status__in=Registration.ACTIVE),
                )
            )
        )

    @admin.display(description=_("registered"), ordering="active_count")
    def registered(self, obj):
        return obj.active_count

    @admin.display(description=_("data removed"), boolean=True)
    def shredded(self, obj):
        return obj.shredded_at is not None

    @admin.action(description=_("Publish the selected events"), permissions=["change"])
    def publish(self, request, queryset):
        count = staff.events_publish(events=queryset, published=True)
        self.message_user(request, gettext("%(count)d events published.") % {"count": count})

    @admin.action(description=_("Unpublish the selected events"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = staff.events_publish(events=queryset, published=False)
        self.message_user(request, gettext("%(count)d events unpublished.") % {"count": count})

    def has_delete_permission(self, request, obj=None):
        return False  # registrations and the disclosure log point at it

    def change_view(self, request, object_id, form_url="", extra_context=None):
        user = request.user
        extra_context = {
            **(extra_context or {}),
            "may_list": user.has_perm("events.view_participants"),
            "may_register": user.has_perm("events.add_registration"),
            "may_send": user.has_perm("events.send_to_recipient"),
            "may_shred": user.has_perm("events.shred_event"),
            "may_see_disclosures": user.has_perm("events.view_disclosure"),
            "statuses": Registration.Status.choices,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        def own(route, view, name, rule):
            return path(
                route,
                _access(self.admin_site.admin_view(view), rule),
                name=f"events_event_{name}",
            )

        return [
            own(
                "<int:pk>/participants.csv",
                self.participants_csv,
                "participants_csv",
                "permission events.view_participants (checked in the view)",
            ),
            own(
                "<int:pk>/participants.pdf",
                self.participants_pdf,
                "participants_pdf",
                "permission events.view_participants (checked in the view)",
            ),
            own(
                "<int:pk>/send/",
                self.send_view,
                "send",
                "permission events.send_to_recipient (checked in the view)",
            ),
            own(
                "<int:pk>/register/",
                self.register_view,
                "register",
                "permission events.add_registration (checked in the view)",
            ),
            own(
                "<int:pk>/statistics/",
                self.statistics_view,
                "statistics",
                "permission events.view_event (checked in the view)",
            ),
            own(
                "<int:pk>/shred/",
                self.shred_view,
                "shred",
                "permission events.shred_event (checked in the view)",
            ),
            *super().get_urls(),
        ]

    def _event(self, request, pk, perm: str) -> Event:
        if not request.user.has_perm(perm):
            raise PermissionDenied
        return get_object_or_404(Event, pk=pk)

    def _context(self, request, event, title):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": event,
            "event": event,
            "title": title,
        }

    # --- Exports ---

    def participants_csv(self, request, pk: int):
        """The participant list as CSV (formula-safe), filtered by status; logged with the
        people it holds."""
        event = self._event(request, pk, "events.view_participants")
        header, rows, people = staff.participant_table(event=event, statuses=_statuses(request))
        log_access_many(request, people, export="participants.csv", event=event.pk)
        return streaming_csv_response(
            filename=f"osallistujat-{event.slug}-{timezone.localdate():%Y%m%d}.csv",
            header=header,
            rows=rows,
        )

    def participants_pdf(self, request, pk: int):
        event = self._event(request, pk, "events.view_participants")
        statuses = _statuses(request)
        header, rows, people = staff.participant_table(event=event, statuses=statuses)
        log_access_many(request, people, export="participants.pdf", event=event.pk)
        shown = ", ".join(
            str(label) for value, label in Registration.Status.choices if value in statuses
        )
        pdf = staff.table_pdf(
            title=gettext("Participants: %(event)s") % {"event": event.title_fi},
            subtitle=shown or gettext("All statuses"),
            header=header,
            rows=rows,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="osallistujat-{event.slug}-{timezone.localdate():%Y%m%d}.pdf"'
        )
        response["Cache-Control"] = "no-store"
        return response

    # --- Send to a recipient ---

    def send_view(self, request, pk: int):
        """Pick a recipient, see exactly which columns and how many people would go, then send:
        the file is made and the disclosure logged in one transaction."""
        event = self._event(request, pk, "events.send_to_recipient")
        form = SendForm(request.POST or request.GET or None, event=event)
        preview = None
        if form.is_bound and form.is_valid():
            recipient = form.cleaned_data["recipient"]
            statuses = form.cleaned_data["statuses"]
            if request.method == "POST" and "send" in request.POST:
                try:
                    content = staff.disclosure_send(
                        recipient=recipient,
                        actor=request.user,
                        statuses=statuses,
                        format=form.cleaned_data["format"],
                        remote_addr=client_address(request),
                    )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    return _disclosure_file(event, content)
            else:
                header, rows, _registrations = staff.recipient_table(
                    recipient=recipient, statuses=statuses
                )
                preview = {"header": header, "count": len(rows), "recipient": recipient}
        context = {
            **self._context(request, event, gettext("Send to a recipient")),
            "form": form,
            "preview": preview,
            "disclosures": Disclosure.objects.filter(event=event)[:20],
        }
        return TemplateResponse(request, "admin/events/event/send.html", context)

    # --- Registering someone (by phone, at the door) ---

    def register_view(self, request, pk: int):
        """The event's registration form, filled in by staff: the same checks and the same
        service as the public form, with source "staff"."""
        event = self._event(request, pk, "events.add_registration")
        form = PublicRegistrationForm(request.POST or None, event=event)
        if request.method == "POST" and form.is_valid():
            try:
                result = services.registration_create(
                    event=event,
                    data=form.registration_data(),
                    source=Registration.Source.STAFF,
                    language=translation.get_language()[:2],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                registration = result.registration
                message = (
                    gettext("%(name)s is on the waiting list.")
                    if result.waiting
                    else gettext("%(name)s is registered.")
                )
                messages.success(request, message % {"name": registration.contact})
                return redirect(participants_url(event))
        context = {
            **self._context(request, event, gettext("Register a participant")),
            "form": form,
        }
        return TemplateResponse(request, "admin/events/event/register.html", context)

    # --- Statistics ---

    def statistics_view(self, request, pk: int):
        event = self._event(request, pk, "events.view_event")
        context = {
            **self._context(request, event, gettext("Statistics")),
            "stats": event_statistics(event=event),
            "OTHER": OTHER,
        }
        return TemplateResponse(request, "admin/events/event/statistics.html", context)

    # --- Shredder ---

    def shred_view(self, request, pk: int):
        """The preview of what a hand run removes now; POST runs it."""
        event = self._event(request, pk, "events.shred_event")
        if request.method == "POST":
            try:
                run = shredder.shred_event(event=event, actor=request.user, early=True)
            except shredder.ShredRefused as refusal:
                messages.error(request, str(refusal))
            else:
                total = sum(r["rows"] for r in run.removed.values())
                messages.success(
                    request,
                    gettext("The event's data was removed (%(rows)d rows).") % {"rows": total},
                )
                return redirect("admin:events_event_change", event.pk)
        preview = shredder.shred_preview(event=event, early=True)
        context = {
            **self._context(request, event, gettext("Remove the event's data")),
            "preview": preview,
            "has_ended": event.ends_at <= timezone.now(),
            "anything": any(line.rows for line in preview),
            "runs": ShredRun.objects.filter(event=event)[:20],
        }
        return TemplateResponse(request, "admin/events/event/shred.html", context)


def _disclosure_file(event: Event, content: staff.DisclosureContent):
    disclosure = content.disclosure
    stem = f"{event.slug}-{disclosure.recipient_name}-{disclosure.sent_at:%Y%m%d}"
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)[:100]
    if disclosure.format == "pdf":
        pdf = staff.table_pdf(
            title=f"{event.title_fi}: {disclosure.recipient_name}",
            subtitle=gettext("Sent %(when)s") % {"when": f"{disclosure.sent_at:%d.%m.%Y}"},
            header=content.header,
            rows=content.rows,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    return streaming_csv_response(filename=f"{stem}.csv", header=content.header, rows=content.rows)


class SendForm(forms.Form):
    recipient = forms.ModelChoiceField(label=_("recipient"), queryset=Recipient.objects.none())
    statuses = forms.MultipleChoiceField(
        label=_("registrations"),
        choices=Registration.Status.choices,
        initial=list(staff.DEFAULT_DISCLOSED_STATUSES),
        widget=forms.CheckboxSelectMultiple,
    )
    format = forms.ChoiceField(
        label=_("format"), choices=[("csv", "CSV"), ("pdf", "PDF")], initial="csv"
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = Recipient.objects.filter(event=event)


# --- Questions (their choices) ------------------------------------------------------------------


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 1
    fields = ["label_fi", "label_sv", "label_en", "order"]


@admin.register(Question)
class QuestionAdmin(OfferedFiltersOnly, admin.ModelAdmin):
    list_display = ["text_fi", "event", "kind", "required", "sensitive", "order"]
    list_filter = [EventFilter, "kind", "sensitive"]
    list_select_related = ["event"]
    search_fields = ["text_fi"]
    inlines = [ChoiceInline]
    fields = [
        "event",
        ("kind", "order", "required", "sensitive"),
        ("text_fi", "text_sv", "text_en"),
        ("consent_text_fi", "consent_text_sv", "consent_text_en"),
    ]
    raw_id_fields = ["event"]

    def has_delete_permission(self, request, obj=None):
        return False  # answers point at it


# --- The participant list ------------------------------------------------------------------------


class CheckedInFilter(admin.SimpleListFilter):
    title = _("checked in")
    parameter_name = "checked_in"

    @staticmethod
    def value_is_valid(value: str) -> bool:
        return value in ("yes", "no")

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(checked_in_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(checked_in_at__isnull=True)
        return queryset


class RegistrationForm(forms.ModelForm):
    class Meta:
        model = Registration
        fields = ["check_in_note"]


@admin.register(Registration)
class RegistrationAdmin(OfferedFiltersOnly, AccessLoggedAdmin, admin.ModelAdmin):
    """The participant list: filter by event and status, search by name or email, check people
    in from the list (action) and write a note on a participant's page."""

    form = RegistrationForm
    list_display = [
        "person",
        "email",
        "event",
        "status",
        "registered_at",
        "checked_in_at",
        "check_in_note",
    ]
    list_select_related = ["contact", "event"]
    list_filter = [EventFilter, "status", CheckedInFilter, "source"]
    search_fields = ["contact__last_name", "contact__first_name", "contact__email"]
    search_help_text = _("Name or email.")
    list_per_page = 100
    actions = ["check_in"]
    readonly_fields = [
        "event",
        "person",
        "email",
        "status",
        "source",
        "registered_at",
        "cancelled_at",
        "checked_in_at",
        "organisation_name",
        "job_title",
        "networking",
        "answers_given",
    ]
    fields = [*readonly_fields, "check_in_note"]

    def people_in_row(self, row):
        return [row.contact] if row.contact_id else []

    @admin.display(description=_("name"), ordering="contact__last_name")
    def person(self, obj):
        return str(obj.contact) if obj.contact_id else gettext("(anonymised)")

    @admin.display(description=_("email"), ordering="contact__email")
    def email(self, obj):
        return obj.contact.email if obj.contact_id else ""

    @admin.display(description=_("answers"))
    def answers_given(self, obj):
        lines = [
            f"{q.text_fi}: {staff.answer_value(obj, q)}"
            for q in obj.event.questions.order_by("order", "pk")
        ]
        return "\n".join(lines) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("answers__choices")

    def get_search_results(self, request, queryset, search_term):
        """Names and emails as the register's own search finds them ("ohman" finds Öhman)."""
        self.check_search_term(search_term)
        if not search_term.strip():
            return queryset, False
        people = contact_search(Contact.objects.all(), search_term).values("pk")
        return queryset.filter(contact__in=people), False

    def has_add_permission(self, request):
        return False  # staff register people on the event's registration page

    def has_delete_permission(self, request, obj=None):
        return False  # cancelled through the service, removed by the shredder

    @admin.action(description=_("Check in the selected participants"), permissions=["check_in"])
    def check_in(self, request, queryset):
        done, refused = 0, 0
        for registration in queryset:
            try:
                staff.registration_check_in(registration=registration)
            except ValidationError:
                refused += 1
            else:
                done += 1
        self.message_user(request, gettext("%(count)d checked in.") % {"count": done})
        if refused:
            self.message_user(
                request,
                gettext("%(count)d could not be checked in (not confirmed).") % {"count": refused},
                messages.WARNING,
            )

    def has_check_in_permission(self, request):
        return request.user.has_perm("events.check_in")

    def save_model(self, request, obj, form, change):
        saved = staff.registration_note_set(
            registration=obj, note=form.cleaned_data["check_in_note"]
        )
        obj.check_in_note = saved.instance.check_in_note

    def changelist_view(self, request, extra_context=None):
        event_id = request.GET.get("event", "")
        event = None
        if event_id.isascii() and event_id.isdigit():
            event = Event.objects.filter(pk=event_id).first()
        extra_context = {
            **(extra_context or {}),
            "event": event,
            "may_export": request.user.has_perm("events.view_participants"),
            "status_chosen": request.GET.get("status__exact", ""),
        }
        return super().changelist_view(request, extra_context)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("events.view_participants") and super().has_view_permission(
            request, obj
        )


# --- Logs ---------------------------------------------------------------------------------------


class DisclosedPersonInline(ReadOnlyInline):
    model = DisclosedPerson
    # The person only: their registration's page is for those who see participants.
    fields = ["contact"]
    show_change_link = False

    def people_in_row(self, row):
        return [row.contact]


class ReadOnlyAdmin(OfferedFiltersOnly, ViewOnlyAdmin, admin.ModelAdmin):
    """Logs written only by services (disclosures, shredder runs)."""


@admin.register(Disclosure)
class DisclosureAdmin(AccessLoggedAdmin, ReadOnlyAdmin):
    """The disclosure log: per event (filter), and for the DPO across events."""

    list_display = ["sent_at", "event", "recipient_name", "people_count", "sent_by_name", "format"]
    list_filter = [EventFilter, "format"]
    list_select_related = ["event"]
    date_hierarchy = "sent_at"
    fields = [
        "event",
        "recipient_name",
        "sent_at",
        "sent_by_name",
        "field_names",
        "question_texts",
        "people_count",
        "format",
    ]
    readonly_fields = fields
    inlines = [DisclosedPersonInline]

    def get_inlines(self, request, obj):
        # Who was included is personal data: shown to those who may see participants.
        if request.user.has_perm("events.view_participants") or request.user.has_perm(
            "events.view_disclosedperson"
        ):
            return self.inlines
        return []

    def people_in_row(self, row):
        return []  # the list shows counts, no one

    @admin.display(description=_("fields"))
    def field_names(self, obj):
        return ", ".join(str(RECIPIENT_FIELDS.get(c, c)) for c in obj.fields)

    @admin.display(description=_("questions"))
    def question_texts(self, obj):
        return ", ".join(q.get("text", "") for q in obj.questions) or "—"


@admin.register(ShredRun)
class ShredRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "event", "trigger", "triggered_by_name", "state", "finished_at"]
    list_filter = [EventFilter, "trigger", "state"]
    list_select_related = ["event"]
    fields = [
        "event",
        "started_at",
        "finished_at",
        "trigger",
        "triggered_by_name",
        "state",
        "removed_rows",
    ]
    readonly_fields = fields

    @admin.display(description=_("removed"))
    def removed_rows(self, obj):
        return "; ".join(
            f"{label}: {r.get('rows', 0)} ({r.get('action')}: {', '.join(r.get('fields', []))})"
            for label, r in (obj.removed or {}).items()
        )


def participants_url(event: Event) -> str:
    return reverse("admin:events_registration_changelist") + f"?event={event.pk}"
