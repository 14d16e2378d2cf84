"""The register descriptions, the breach register and the DPO's reports in the admin.

Only the data protection officer and the administrator have these models' permissions
(crm/roles.py); the report downloads need ``privacy.view_reports`` as well.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.admin_tools import OfferedFiltersOnly

from . import registers, reports, services
from .csv import streaming_csv_response
from .declarations import Category
from .models import Breach, Register, RegisterText

REPORT_PERMISSION = "privacy.view_reports"


def _access(view):
    """Say who may use a report download (tests/config/test_access.py reads it)."""
    view.access = f"staff; {REPORT_PERMISSION}"
    return view


class RegisterForm(forms.ModelForm):
    purposes = forms.MultipleChoiceField(
        label=_("purposes"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    apps = forms.MultipleChoiceField(
        label=_("covered apps"), widget=forms.CheckboxSelectMultiple, required=False, choices=()
    )
    categories = forms.MultipleChoiceField(
        label=_("covered categories"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        choices=Category.choices,
    )

    class Meta:
        model = Register
        fields = [
            "name",
            "slug",
            "controller_name",
            "controller_address",
            "controller_business_id",
            "controller_phone",
            "controller_email",
            "contact_persons",
            "dpo_name",
            "dpo_email",
            "dpo_phone",
            "purposes",
            "apps",
            "categories",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = [(c, p.name) for c, p in registers.PURPOSES.items()]
        self.fields["apps"].choices = [(a, a) for a in registers.declared_apps()]

    def clean(self):
        data = super().clean()
        if not (data.get("apps") or data.get("categories")):
            raise ValidationError(_("Choose at least one app or category the register covers."))
        return data


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("period start"))
    end = forms.DateField(label=_("period end"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError(_("The period starts after it ends."))
        return data


class RegisterTextInline(admin.StackedInline):
    model = RegisterText
    extra = 0
    max_num = len(registers.TEXT_LANGUAGES)


def _drift_warn(request) -> None:
    """The drift check (privacy.W001/W002) where the DPO keeps the descriptions: a system check
    with the database runs only at `migrate` or `check --database default`."""
    found = registers.drift()
    for category in found.uncovered:
        messages.warning(
            request,
            gettext(
                "The system stores data of the category “%(category)s” that no register "
                "description covers."
            )
            % {"category": category.label},
        )
    for name, category in found.unfounded:
        messages.warning(
            request,
            gettext(
                "The register “%(register)s” claims the category “%(category)s” that no field "
                "of the system holds."
            )
            % {"register": name, "category": category.label},
        )


@admin.register(Register)
class RegisterAdmin(OfferedFiltersOnly, admin.ModelAdmin):
    form = RegisterForm
    inlines = [RegisterTextInline]
    list_display = ["name", "slug", "languages", "reports"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug"]}),
        (
            _("Controller"),
            {
                "fields": [
                    "controller_name",
                    "controller_address",
                    "controller_business_id",
                    "controller_phone",
                    "controller_email",
                    "contact_persons",
                    "dpo_name",
                    "dpo_email",
                    "dpo_phone",
                ]
            },
        ),
        (_("What the register covers"), {"fields": ["purposes", "apps", "categories"]}),
    ]

    @admin.display(description=_("languages"))
    def languages(self, obj):
        return ", ".join(t.language for t in obj.texts.all())

    @admin.display(description=_("privacy notice (PDF)"))
    def reports(self, obj):
        return format_html_join(
            " ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:privacy_register_report", args=[obj.pk, lang]), lang)
                for lang in registers.TEXT_LANGUAGES
            ),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("texts")

    def save_model(self, request, obj, form, change):
        services.register_save(register=obj)

    def save_formset(self, request, form, formset, change):
        for text in formset.save(commit=False):
            services.register_text_save(text=text)
        for text in formset.deleted_objects:
            services.register_text_delete(text=text)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "report_links": _report_links(request)}
        if request.method == "GET":
            _drift_warn(request)
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        def view(fn):
            return _access(self.admin_site.admin_view(fn))

        return [
            path(
                "<int:pk>/report/<str:lang>/",
                view(self.report_view),
                name="privacy_register_report",
            ),
            path("record/<str:lang>/", view(self.record_view), name="privacy_register_record"),
            path("consents/", view(self.consent_view), name="privacy_register_consents"),
            path(
                "consents/csv/", view(self.consent_csv_view), name="privacy_register_consents_csv"
            ),
            path("requests/", view(self.requests_view), name="privacy_register_requests"),
            path(
                "requests/csv/", view(self.requests_csv_view), name="privacy_register_requests_csv"
            ),
            *super().get_urls(),
        ]

    def _period(self, request):
        form = PeriodForm(request.GET or None)
        if request.GET and not form.is_valid():
            return None
        today = timezone.localdate()
        if not request.GET:
            return today - datetime.timedelta(days=365), today
        return form.cleaned_data["start"], form.cleaned_data["end"]

    def requests_view(self, request):
        self._may_print(request)
        period = self._period(request)
        if period is None:
            return HttpResponseBadRequest(gettext("Give the period as two dates, start first."))
        start, end = period
        pdf = reports.request_log_pdf(request.LANGUAGE_CODE, start=start, end=end)
        return _pdf_response(pdf, f"rights-requests-{start}-{end}.pdf")

    def requests_csv_view(self, request):
        self._may_print(request)
        period = self._period(request)
        if period is None:
            return HttpResponseBadRequest(gettext("Give the period as two dates, start first."))
        header, *rows = reports.request_log_csv_rows(start=period[0], end=period[1])
        return streaming_csv_response(filename="rights-requests.csv", header=header, rows=rows)

    def _may_print(self, request):
        if not request.user.has_perm(REPORT_PERMISSION):
            raise PermissionDenied

    def report_view(self, request, pk, lang):
        self._may_print(request)
        if lang not in registers.TEXT_LANGUAGES:
            raise PermissionDenied
        register = get_object_or_404(Register, pk=pk)
        return _pdf_response(reports.register_pdf(register, lang), f"{register.slug}-{lang}.pdf")

    def record_view(self, request, lang):
        self._may_print(request)
        if lang not in registers.TEXT_LANGUAGES:
            raise PermissionDenied
        return _pdf_response(reports.record_of_processing(lang), f"art30-{lang}.pdf")

    def consent_view(self, request):
        self._may_print(request)
        return _pdf_response(reports.consent_pdf(request.LANGUAGE_CODE), "consents.pdf")

    def consent_csv_view(self, request):
        self._may_print(request)
        header, *rows = reports.consent_csv_rows()
        return streaming_csv_response(filename="consents.csv", header=header, rows=rows)


def _report_links(request):
    if not request.user.has_perm(REPORT_PERMISSION):
        return []
    return [
        (
            gettext("Record of processing activities (fi)"),
            reverse("admin:privacy_register_record", args=["fi"]),
        ),
        (
            gettext("Record of processing activities (en)"),
            reverse("admin:privacy_register_record", args=["en"]),
        ),
        (gettext("Consent report (PDF)"), reverse("admin:privacy_register_consents")),
        (gettext("Consent report (CSV)"), reverse("admin:privacy_register_consents_csv")),
        (gettext("Breach register (PDF)"), reverse("admin:privacy_breach_report")),
        (gettext("Rights-request log (PDF)"), reverse("admin:privacy_register_requests")),
        (gettext("Rights-request log (CSV)"), reverse("admin:privacy_register_requests_csv")),
    ]


def _pdf_response(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class BreachForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("categories of personal data"),
        widget=forms.CheckboxSelectMultiple,
        choices=Category.choices,
    )

    class Meta:
        model = Breach
        fields = [
            "discovered_at",
            "nature",
            "categories",
            "people_affected",
            "records_affected",
            "consequences",
            "measures",
            "authority_notified_at",
            "not_notified_reason",
            "people_informed_at",
            "not_informed_reason",
        ]


@admin.register(Breach)
class BreachAdmin(OfferedFiltersOnly, admin.ModelAdmin):
    form = BreachForm
    list_display = ["discovered_at", "short_nature", "people_affected", "countdown"]
    readonly_fields = ["countdown", "recorded_by", "created_at"]

    @admin.display(description=_("nature of the breach"))
    def short_nature(self, obj):
        return obj.nature[:80]

    @admin.display(description=_("72-hour deadline"))
    def countdown(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        if obj.authority_notified_at:
            return gettext("Authority notified")
        if obj.not_notified_reason:
            return gettext("Not to be notified")
        hours = reports.hours_left(obj, timezone.now())
        if hours < 0:
            return format_html(
                '<strong class="errornote">{}</strong>',
                gettext("Deadline passed %(hours)d h ago") % {"hours": -hours},
            )
        return format_html(
            "<strong>{}</strong>",
            gettext("%(hours)d h %(minutes)02d min left")
            % {"hours": int(hours), "minutes": int((hours % 1) * 60)},
        )

    def save_model(self, request, obj, form, change):
        services.breach_save(breach=obj, actor=request.user)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "report_links": _report_links(request)}
        if request.method == "GET":
            _drift_warn(request)
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "report/",
                _access(self.admin_site.admin_view(self.report_view)),
                name="privacy_breach_report",
            ),
            *super().get_urls(),
        ]

    def report_view(self, request):
        if not request.user.has_perm(REPORT_PERMISSION):
            raise PermissionDenied
        messages.info(request, gettext("Breach register printed."))
        return _pdf_response(reports.breach_pdf(request.LANGUAGE_CODE), "breaches.pdf")
