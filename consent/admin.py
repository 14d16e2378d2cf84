"""The staff admin of consents: purposes and their texts, the ledger (read, and record a consent
given on paper or by phone), newsletters with their audience, sending and progress, and the
audience export. Every change goes through consent.services.

A person's own page (crm's ContactAdmin) shows their ledger through the template
templates/admin/crm/contact/change_form.html and the ``consent_ledger`` tag, for staff who may
view the ledger: crm/admin.py needs no change.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.access import client_address
from crm import audit
from crm.admin_tools import AccessLoggedAdmin, ViewOnlyAdmin
from privacy.csv import streaming_csv_response

from . import selectors, services
from .models import (
    ConsentEvent,
    ConsentState,
    ConsentText,
    Mailing,
    MailingRecipient,
    Purpose,
    Topic,
)


def _access(view, rule: str):
    """Say who may use an admin page of our own (the access test reads it)."""
    view.access = f"staff; {rule}"
    return view


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 1
    fields = ["code", "name_fi", "name_sv", "name_en"]


class TextInline(admin.TabularInline):
    model = ConsentText
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["version", "text_fi", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("consent texts (publish a new version under Consent texts)")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fi", "is_marketing", "validity_days", "active", "valid_now"]
    inlines = [TopicInline, TextInline]
    fieldsets = [
        (None, {"fields": ["code", ("name_fi", "name_sv", "name_en"), "legal_basis"]}),
        (_("Description"), {"fields": ["description_fi", "description_sv", "description_en"]}),
        (_("Validity"), {"fields": ["is_marketing", "validity_days", "renewal_days", "active"]}),
    ]

    @admin.display(description=_("valid consents"))
    def valid_now(self, obj):
        return selectors.valid_consents(purpose=obj).count()

    def has_delete_permission(self, request, obj=None):
        return False  # consents and their ledger point at it

    def get_urls(self):
        return [
            path(
                "<int:pk>/audience.csv",
                _access(
                    self.admin_site.admin_view(self.audience_export),
                    "permission consent.export_audience (checked in the view)",
                ),
                name="consent_purpose_audience",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export": request.user.has_perm("consent.export_audience"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def audience_export(self, request, pk: int):
        """The people whose consent is valid now: name, email, language; streamed, and logged
        with the number of rows sent once the last one is written."""
        if not request.user.has_perm("consent.export_audience"):
            raise PermissionDenied
        purpose = get_object_or_404(Purpose, pk=pk)
        people = (
            selectors.audience(purpose=purpose)
            .order_by("pk")
            .values_list("first_name", "last_name", "email", "preferred_language")
        )
        user, address = request.user, client_address(request)

        def logged(count: int) -> None:
            audit.entry(
                purpose,
                LogEntry.Action.ACCESS,
                actor=user,
                remote_addr=address,
                extra={"export": "audience", "rows": count},
            ).save()

        return streaming_csv_response(
            filename=f"audience-{purpose.code}-{timezone.localdate():%Y%m%d}.csv",
            header=[
                gettext("first name"),
                gettext("last name"),
                gettext("email"),
                gettext("language"),
            ],
            rows=people.iterator(chunk_size=2000),
            on_finish=logged,
        )


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Texts are published, never edited: the add form publishes a new version."""

    list_display = ["purpose", "version", "created_at"]
    list_filter = ["purpose"]
    fields = ["purpose", "text_fi", "text_sv", "text_en"]

    def get_readonly_fields(self, request, obj=None):
        return ["purpose", "version", "text_fi", "text_sv", "text_en", "created_at"] if obj else []

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        text = services.consent_text_publish(
            purpose=form.cleaned_data["purpose"],
            text_fi=form.cleaned_data["text_fi"],
            text_sv=form.cleaned_data["text_sv"],
            text_en=form.cleaned_data["text_en"],
        )
        vars(obj).update(vars(text))


class StaffConsentForm(forms.ModelForm):
    """A consent given (or withdrawn) on paper or by phone, with a note saying how."""

    kind = forms.ChoiceField(
        label=_("change"),
        choices=[
            (ConsentEvent.Kind.GIVEN, _("Given")),
            (ConsentEvent.Kind.WITHDRAWN, _("Withdrawn")),
        ],
    )

    class Meta:
        model = ConsentEvent
        fields = ["contact", "purpose", "kind", "note"]
        help_texts = {
            "note": _("How the consent was given or withdrawn (e.g. paper form, phone call).")
        }

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise ValidationError(_("Say how the consent was given or withdrawn."))
        return note

    def clean(self):
        values = super().clean()
        purpose = values.get("purpose")
        # A consent is given on a wording; without one there is nothing to record it on.
        if (
            purpose is not None
            and values.get("kind") == ConsentEvent.Kind.GIVEN
            and purpose.current_text() is None
        ):
            self.add_error("purpose", _("This purpose has no consent text yet."))
        contact = values.get("contact")
        if (
            purpose is not None
            and contact is not None
            and values.get("kind") == ConsentEvent.Kind.GIVEN
            and purpose.is_marketing
        ):
            from .services import suppression_refusal

            refusal = suppression_refusal(contact.email)
            if refusal:
                self.add_error("contact", refusal)
        return values


@admin.register(ConsentEvent)
class ConsentEventAdmin(AccessLoggedAdmin, admin.ModelAdmin):
    """The ledger: read by everyone who may see consents; a row is added to record a consent
    given on paper or by phone (source staff, with the staff member's name and a note)."""

    form = StaffConsentForm
    list_display = ["at", "contact", "purpose", "kind", "source", "source_detail", "text"]
    list_filter = ["kind", "source", "purpose"]
    list_select_related = ["contact", "purpose", "text"]
    autocomplete_fields = ["contact"]
    search_fields = ["contact__email"]
    ordering = ["-at", "-pk"]

    def people_in_row(self, row):
        return [row.contact]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in ConsentEvent._meta.fields]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["contact", "purpose", "kind", "note"]
        return [f.name for f in ConsentEvent._meta.fields if f.name != "id"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if str(request.GET.get("contact", "")).isdigit():
            initial["contact"] = request.GET["contact"]
        return initial

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = form.cleaned_data
        user = request.user
        evidence = services.Evidence(
            source=ConsentEvent.Source.STAFF,
            detail=user.get_full_name() or user.get_username(),
            ip_address=client_address(request),
            note=values["note"],
        )
        contact, purpose = values["contact"], values["purpose"]
        if values["kind"] == ConsentEvent.Kind.GIVEN:
            services.consent_give(contact=contact, purpose=purpose, evidence=evidence)
        elif not services.consent_withdraw(contact=contact, purpose=purpose, evidence=evidence):
            self.message_user(
                request, gettext("There was no valid consent to withdraw."), messages.WARNING
            )
        latest = services.selectors.ledger_of(contact=contact).last()
        if latest is not None:
            vars(obj).update(vars(latest))

    def response_add(self, request, obj, post_url_continue=None):
        return redirect(reverse("admin:crm_contact_change", args=[obj.contact_id]))


@admin.register(ConsentState)
class ConsentStateAdmin(AccessLoggedAdmin, ViewOnlyAdmin, admin.ModelAdmin):
    list_display = ["contact", "purpose", "status", "given_at", "expires_at"]
    list_filter = ["status", "purpose"]
    list_select_related = ["contact", "purpose"]
    search_fields = ["contact__email"]

    def people_in_row(self, row):
        return [row.contact]


class MailingForm(forms.ModelForm):
    class Meta:
        model = Mailing
        fields = [
            "purpose",
            "topics",
            "subject_fi",
            "body_fi",
            "subject_sv",
            "body_sv",
            "subject_en",
            "body_en",
        ]
        widgets = {"topics": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "topics" in self.fields:
            topics = self.fields["topics"]
            topics.queryset = Topic.objects.select_related("purpose").order_by("purpose", "code")
            # Every purpose's topics are listed; the purpose's name tells them apart.
            topics.label_from_instance = lambda topic: f"{topic.purpose.name}: {topic.name}"

    def clean(self):
        values = super().clean()
        purpose, topics = values.get("purpose"), values.get("topics")
        if purpose is not None and topics and any(t.purpose_id != purpose.pk for t in topics):
            self.add_error("topics", _("Choose topics of the mailing's purpose."))
        return values


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    form = MailingForm
    list_display = ["subject_fi", "purpose", "status", "recipient_count", "sent_count"]
    list_filter = ["status", "purpose"]
    change_form_template = "admin/consent/mailing/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Mailing.Status.DRAFT:
            return [*MailingForm.Meta.fields, "status", "recipient_count"]
        return []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            services.mailing_save(
                mailing=obj, topics=list(form.cleaned_data["topics"]), actor=request.user
            )
        except services.MailingRefused as refusal:
            raise PermissionDenied(str(refusal)) from None

    def save_related(self, request, form, formsets, change):
        """The topics were saved with the mailing (mailing_save); there are no inlines."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        mailing = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if mailing is not None:
            context.update(_progress(mailing))
            context["can_send"] = request.user.has_perm("consent.send_mailing")
            if mailing.status == Mailing.Status.DRAFT:
                context["audience_count"] = selectors.audience(
                    purpose=mailing.purpose, topics=mailing.topics.all()
                ).count()
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        return [
            path(
                "<int:pk>/send/",
                _access(
                    self.admin_site.admin_view(self.send_view),
                    "permission consent.send_mailing (checked in the view)",
                ),
                name="consent_mailing_send",
            ),
            path(
                "<int:pk>/progress/",
                _access(
                    self.admin_site.admin_view(self.progress_view),
                    "permission consent.view_mailing (checked in the view)",
                ),
                name="consent_mailing_progress",
            ),
            *super().get_urls(),
        ]

    def send_view(self, request, pk: int):
        """POST only; a second click finds the mailing already sending and changes nothing."""
        if request.method != "POST" or not request.user.has_perm("consent.send_mailing"):
            raise PermissionDenied
        mailing = get_object_or_404(Mailing, pk=pk)
        try:
            count = services.mailing_send(mailing=mailing, actor=request.user)
        except services.MailingRefused as refusal:
            self.message_user(request, str(refusal), messages.WARNING)
        else:
            self.message_user(
                request, gettext("Sending to %(count)d people started.") % {"count": count}
            )
        return redirect(reverse("admin:consent_mailing_progress", args=[pk]))

    def progress_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        mailing = get_object_or_404(Mailing, pk=pk)
        return TemplateResponse(
            request,
            "admin/consent/mailing/progress.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Sending: %(subject)s") % {"subject": mailing.subject_fi},
                "mailing": mailing,
                **_progress(mailing),
            },
        )


def _progress(mailing: Mailing) -> dict:
    counts = dict(
        MailingRecipient.objects.filter(mailing=mailing)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    remaining = counts.get("pending", 0) + counts.get("claimed", 0)
    return {
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        "skipped": counts.get("skipped", 0),
        "remaining": remaining,
    }
