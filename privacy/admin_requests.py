"""Rights requests in the admin: the DPO's and Administrator's lists, deadlines and actions.

Each action is a page of its own with an explicit permission (``privacy.<action>_rightsrequest``)
and calls the one service in ``privacy.requests``; a refused action says why and changes
nothing. Imported by privacy/admin.py.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.admin_tools import AccessLoggedAdmin, OfferedFiltersOnly, ViewOnlyAdmin
from crm.models import Contact

from . import erasure_views
from . import requests as rights
from .models import RequestTransition, Restriction, RightsRequest, Suppression

State = RightsRequest.State
LIFT = "privacy.lift_restriction"


class DeadlineFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("week", _("Due within 7 days"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        working = queryset.filter(state__in=rights.WORKING_STATES).annotate(
            deadline_at=Coalesce("extended_until", F("due_at"))
        )
        if self.value() == "overdue":
            return working.filter(deadline_at__lt=now)
        if self.value() == "week":
            return working.filter(
                deadline_at__gte=now, deadline_at__lt=now + datetime.timedelta(days=7)
            )
        return queryset


class TransitionInline(admin.TabularInline):
    model = RequestTransition
    fields = ["at", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("transition log")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StaffRequestForm(forms.ModelForm):
    """A request that came by letter, phone, email or in person."""

    contact = forms.ModelChoiceField(
        label=_("person"),
        queryset=Contact.objects.exclude(subject_category=Contact.SubjectCategory.ERASED),
        widget=forms.NumberInput,
        help_text=_("The person's number in the register (from their page)."),
    )

    class Meta:
        model = RightsRequest
        fields = ["type", "contact", "channel", "identity_check", "language", "received_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [
            c for c in RightsRequest.Channel.choices if c[0] != RightsRequest.Channel.PORTAL
        ]
        self.fields["identity_check"].required = True

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value and value > timezone.now():
            raise ValidationError(_("A request cannot be received in the future."))
        return value


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("extend by"),
        coerce=int,
        choices=[(1, _("one month")), (2, _("two months"))],
    )
    reason = forms.CharField(label=_("reason (told to the person)"), widget=forms.Textarea)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason (told to the person)"), widget=forms.Textarea)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), widget=forms.Textarea, required=False)


class VerifyForm(forms.Form):
    contact = forms.ModelChoiceField(
        label=_("person"),
        queryset=Contact.objects.exclude(subject_category=Contact.SubjectCategory.ERASED),
        widget=forms.NumberInput,
    )
    identity_check = forms.CharField(label=_("how the identity was checked"), max_length=500)


class DecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("decision"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Make the corrections")), ("no", _("Reject the corrections"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("note (the reason, when rejected)"), widget=forms.Textarea, required=False
    )


class ApproveErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have read the preview: erase this person as it says"), required=True
    )


ACTIONS = {
    # action: (permission, form, title)
    "verify": ("privacy.verify_rightsrequest", VerifyForm, _("Verify the identity")),
    "extend": ("privacy.extend_rightsrequest", ExtendForm, _("Extend the deadline")),
    "reject": ("privacy.reject_rightsrequest", ReasonForm, _("Reject the request")),
    "complete": ("privacy.complete_rightsrequest", NoteForm, _("Mark completed")),
    "decide": ("privacy.decide_rectification", DecisionForm, _("Decide the corrections")),
    "erase": ("privacy.approve_erasure", ApproveErasureForm, _("Preview and approve the erasure")),
}


@admin.register(RightsRequest)
class RightsRequestAdmin(OfferedFiltersOnly, AccessLoggedAdmin, admin.ModelAdmin):
    list_display = ["pk", "type", "state", "channel", "received_at", "deadline_shown", "contact"]
    list_display_links = ["pk", "type"]
    list_filter = ["state", "type", DeadlineFilter, "channel"]
    list_select_related = ["contact"]
    search_fields = ["=id", "email"]
    inlines = [TransitionInline]
    ordering = ["due_at", "pk"]
    readonly_fields = [
        "type",
        "state",
        "contact",
        "email",
        "language",
        "channel",
        "identity_check",
        "received_at",
        "due_at",
        "extended_until",
        "extension_reason",
        "extension_notice_sent_at",
        "rejection_reason",
        "completed_at",
        "reminder_sent_at",
        "job_queued_at",
        "job_started_at",
        "job_finished_at",
        "payload",
    ]

    def people_in_row(self, row):
        return [row.contact] if row.contact_id else []

    @admin.display(description=_("deadline"), ordering="due_at")
    def deadline_shown(self, obj):
        return timezone.localtime(obj.deadline).strftime("%d.%m.%Y")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = StaffRequestForm
            kwargs["fields"] = StaffRequestForm.Meta.fields
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else StaffRequestForm.Meta.fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = form.cleaned_data
        try:
            created = rights.staff_request_record(
                type=values["type"],
                contact=values["contact"],
                channel=values["channel"],
                identity_check=values["identity_check"],
                language=values["language"],
                received_at=values.get("received_at"),
                actor=request.user,
            )
        except (ValidationError, rights.RequestRefused) as error:
            raise PermissionDenied(str(error)) from error
        vars(obj).update(vars(created))

    def get_urls(self):
        view = self.admin_site.admin_view(self.action_view)
        # Each action checks its own permission (ACTIONS) before anything else.
        view.access = "permissions privacy.<action>_rightsrequest (per action, see ACTIONS)"
        erasure = self.admin_site.admin_view(self.erasure_view)
        erasure.access = "permission privacy.approve_erasure (preview and approval)"
        return [
            path("<int:object_id>/do/<str:action>/", view, name="privacy_rightsrequest_action"),
            path("<int:object_id>/erasure/", erasure, name="privacy_rightsrequest_erasure"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context["request_actions"] = [
                (reverse("admin:privacy_rightsrequest_action", args=[obj.pk, name]), title)
                for name, (perm, _form, title) in ACTIONS.items()
                if request.user.has_perm(perm) and self._action_applies(obj, name)
            ]
            if request.user.has_perm(erasure_views.PERMISSION) and erasure_views.erasure_applies(
                obj
            ):
                extra_context["request_actions"].insert(
                    0,
                    (
                        reverse("admin:privacy_rightsrequest_erasure", args=[obj.pk]),
                        gettext("Preview and approve the erasure"),
                    ),
                )
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _action_applies(obj: RightsRequest, action: str) -> bool:
        if not obj.is_open:
            return False
        if action == "verify":
            return obj.state == State.RECEIVED
        if action == "extend":
            return obj.extended_until is None
        if action == "erase":
            return (
                obj.type == RightsRequest.Type.ERASURE
                and obj.contact_id is not None
                and obj.state in (State.IDENTITY_VERIFIED, State.EXTENDED)
            )
        if action == "decide":
            return (
                obj.type == RightsRequest.Type.RECTIFICATION
                and "proposed" in obj.payload
                and "decision" not in obj.payload
            )
        return True

    def erasure_view(self, request, object_id: int):
        return erasure_views.erasure_preview_view(self, request, object_id)

    def action_view(self, request, object_id: int, action: str):
        if action not in ACTIONS:
            raise PermissionDenied
        permission, form_class, title = ACTIONS[action]
        if not request.user.has_perm(permission):
            raise PermissionDenied
        obj = get_object_or_404(RightsRequest, pk=object_id)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            values = form.cleaned_data
            try:
                self._act(request, obj, action, values)
            except rights.RequestRefused as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                self.message_user(request, gettext("Done."), messages.SUCCESS)
                return redirect("admin:privacy_rightsrequest_change", obj.pk)
        plan = None
        if action == "erase" and obj.contact_id is not None:
            from .erasure import erasure_plan

            plan = erasure_plan(contact=obj.contact)
        context = {
            **self.admin_site.each_context(request),
            "plan": plan,
            "title": title,
            "form": form,
            "original": obj,
            "opts": self.model._meta,
        }
        return render(
            request,
            "admin/privacy/rightsrequest/action.html",
            context,
            status=400 if request.method == "POST" else 200,
        )

    @staticmethod
    def _act(request, obj, action, values):
        user = request.user
        if action == "verify":
            rights.request_verify(
                request=obj,
                contact=values["contact"],
                identity_check=values["identity_check"],
                actor=user,
            )
        elif action == "extend":
            rights.request_extend(
                request=obj, months=values["months"], reason=values["reason"], actor=user
            )
        elif action == "reject":
            rights.request_reject(request=obj, reason=values["reason"], actor=user)
        elif action == "complete":
            rights.request_complete(request=obj, actor=user, note=values["note"])
        elif action == "erase":
            from .erasure_jobs import ErasureRefused, erasure_approve

            try:
                erasure_approve(request=obj, actor=user)
            except ErasureRefused as error:
                raise rights.RequestRefused(str(error)) from error
        elif action == "decide":
            rights.rectification_decide(
                request=obj, accept=values["accept"], actor=user, note=values["note"]
            )


@admin.register(Suppression)
class SuppressionAdmin(OfferedFiltersOnly, admin.ModelAdmin):
    """The suppression list: hashes only. The DPO may remove an entry (the person asked to
    receive marketing again and gave a new consent by other means)."""

    list_display = ["email_hash", "reason", "created_at"]
    list_filter = ["reason"]
    readonly_fields = ["email_hash", "reason", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InForceFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", _("In force")), ("no", _("Lifted"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(lifted_at__isnull=self.value() == "yes")
        return queryset


class LiftForm(forms.Form):
    reason = forms.CharField(
        label=_("reason (told to the person)"), widget=forms.Textarea, max_length=2000
    )


@admin.register(Restriction)
class RestrictionAdmin(OfferedFiltersOnly, AccessLoggedAdmin, ViewOnlyAdmin, admin.ModelAdmin):
    """Restrictions of processing (GDPR Art. 18). They start from a verified rights request;
    the DPO or the Administrator lifts one with a reason (``privacy.lift_restriction``), and the
    person is told."""

    list_display = ["contact", "since", "request", "lifted_at", "lifted_by"]
    list_filter = [InForceFilter]
    list_select_related = ["contact"]
    search_fields = ["=contact__id"]
    fields = ["contact", "since", "request", "lifted_at", "lifted_by", "lift_reason"]
    readonly_fields = fields

    def people_in_row(self, row):
        return [row.contact]

    def get_urls(self):
        lift = self.admin_site.admin_view(self.lift_view)
        lift.access = "permission privacy.lift_restriction"
        return [
            path("<int:object_id>/lift/", lift, name="privacy_restriction_lift"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None and obj.lifted_at is None and request.user.has_perm(LIFT):
            extra_context["request_actions"] = [
                (
                    reverse("admin:privacy_restriction_lift", args=[obj.pk]),
                    gettext("Lift the restriction"),
                )
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def lift_view(self, request, object_id: int):
        if not request.user.has_perm(LIFT):
            raise PermissionDenied
        obj = get_object_or_404(Restriction.objects.select_related("contact"), pk=object_id)
        form = LiftForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                rights.restriction_lift(
                    restriction=obj, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except rights.RequestRefused as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                self.message_user(request, gettext("Done."), messages.SUCCESS)
                return redirect("admin:privacy_restriction_change", obj.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Lift the restriction"),
            "form": form,
            "original": obj,
            "opts": self.model._meta,
        }
        return render(
            request,
            "admin/privacy/restriction/lift.html",
            context,
            status=400 if request.method == "POST" else 200,
        )
