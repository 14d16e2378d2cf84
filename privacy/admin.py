"""The audit trail in the admin, as the data protection officer reads it.

django-auditlog's own admin speaks English, shows raw stored values ("Merged from None → 12",
timestamps with microseconds, "True", choice codes, an account's id) and cannot be narrowed to one
person or one staff member. This admin replaces it: every label is ours (Finnish and Swedish in
the catalogue), values are shown as the pages that wrote them show them, the address the change
came from is a column, and the list filters by person (everything about them, their rows and the
duplicates merged into them, as ``privacy.selectors`` finds it for erasure) and by staff member.
Entries stay read-only: nobody adds, changes or deletes them here.
"""

from __future__ import annotations

import ast
import datetime
import json

from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.forms.utils import pretty_name
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from crm.admin_tools import ViewOnlyAdmin
from crm.audit import PASSWORD_CHANGED, log_access_many
from crm.models import ApiClient, Contact

from .audit import audit_declaration
from .selectors import about_rows_condition

# auditlog's model and app carry English names that no catalogue of ours can reach reliably.
apps.get_app_config("auditlog").verbose_name = _("Audit trail")
LogEntry._meta.verbose_name = _("audit entry")
LogEntry._meta.verbose_name_plural = _("audit entries")

# An entry's name (its page's title) is auditlog's own phrase; listed so that makemessages keeps
# our translations of it.
AUDITLOG_PHRASES = [
    gettext_noop("Created {repr:s}"),
    gettext_noop("Updated {repr:s}"),
    gettext_noop("Deleted {repr:s}"),
    gettext_noop("Logged {repr:s}"),
]

ACTIONS = {
    LogEntry.Action.CREATE: pgettext_lazy("audit trail", "added"),
    LogEntry.Action.UPDATE: pgettext_lazy("audit trail", "changed"),
    LogEntry.Action.DELETE: pgettext_lazy("audit trail", "deleted"),
    LogEntry.Action.ACCESS: pgettext_lazy("audit trail", "viewed"),
}
M2M_OPERATIONS = {
    "add": pgettext_lazy("audit trail", "added"),
    "delete": pgettext_lazy("audit trail", "removed"),
    "clear": pgettext_lazy("audit trail", "all removed"),
}
#: Keys that services write into an entry's changes besides the model's own fields.
EXTRA_LABELS = {"merged_from": _("Merged from person")}
#: An account's authenticators, as crm.audit records them.
AUTHENTICATOR_TYPES = {"totp": _("authenticator app"), "recovery_codes": _("Recovery codes")}
#: Values stored as lists of codes whose labels live on the model.
CODE_LABELS = {(ApiClient, "scopes"): ApiClient.Scope}
_BLANK = (None, "", "None")


def when(value: datetime.datetime) -> str:
    """A moment in local time to the second, as the language writes it (no microseconds)."""
    local = timezone.localtime(value)
    time_format = formats.get_format("TIME_FORMAT")
    seconds = ".s" if "." in time_format else ":s"
    day = formats.date_format(local, "SHORT_DATE_FORMAT")
    return f"{day} {formats.time_format(local, time_format + seconds)}"


def kind_name(model, *, plural: bool = False) -> str:
    """What a row of ``model`` is called; allauth's authenticator has no Finnish name."""
    if model is Authenticator:
        return gettext("authenticator apps") if plural else gettext("authenticator app")
    return model._meta.verbose_name_plural if plural else model._meta.verbose_name


def _model(entry: LogEntry) -> type[models.Model] | None:
    return ContentType.objects.get_for_id(entry.content_type_id).model_class()


def _field(model, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model, name: str) -> str:
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    field = _field(model, name)
    if isinstance(field, models.ForeignObjectRel):  # rows pointing here (a person's roles)
        return str(capfirst(kind_name(field.related_model, plural=True)))
    if field is None or not hasattr(field, "verbose_name"):
        return pretty_name(name)
    return str(capfirst(field.verbose_name))


def _as_list(value) -> list | None:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.startswith("["):
        for parse in (json.loads, ast.literal_eval):
            try:
                parsed = parse(value)
            except (ValueError, SyntaxError):
                continue
            if isinstance(parsed, list):
                return parsed
    return None


def readable(model, name: str, value, *, look_up: bool = False) -> str:
    """One stored value as staff read it. ``look_up`` names the row a link points at (one query;
    for an entry's own page, not for a list of fifty)."""
    if value in _BLANK:
        return "—"
    if name == "merged_from":
        return _merged_person(value) if look_up else f"#{value}"
    if name == "password":
        return pgettext("password", "changed") if value == PASSWORD_CHANGED else "—"
    if (model, name) in CODE_LABELS and (codes := _as_list(value)) is not None:
        labels = dict(CODE_LABELS[(model, name)].choices)
        return ", ".join(str(labels.get(code, code)) for code in codes) or "—"
    field = _field(model, name)
    if field is None:
        return str(value)
    text = str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(text, text))
    if isinstance(field, models.BooleanField):
        return (
            pgettext("audit trail", "yes")
            if text in ("True", "1")
            else pgettext("audit trail", "no")
        )
    if isinstance(field, models.DateTimeField):
        try:
            return when(datetime.datetime.fromisoformat(text))
        except ValueError:
            return text
    if isinstance(field, models.DateField):
        try:
            return formats.date_format(datetime.date.fromisoformat(text), "SHORT_DATE_FORMAT")
        except ValueError:
            return text
    if field.is_relation and field.related_model is not None:
        if look_up and text.isdigit():
            row = field.related_model._base_manager.filter(pk=text).first()
            if row is not None:
                return f"{row} (#{text})"
        return f"#{text}"
    if (items := _as_list(value)) is not None:
        return ", ".join(map(str, items)) or "—"
    return text


def _merged_person(value) -> str:
    """A merged-in person, who is no longer in the register, by the name their latest audit
    entry gave them (blanked if they were erased since): "Aino Aalto (#12)"."""
    text = str(value)
    if not text.isdigit() or len(text) > 18:
        return f"#{text}"
    entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Contact), object_id=int(text)
        )
        .exclude(object_repr="")
        .order_by("-timestamp", "-pk")
        .first()
    )
    return f"{entry.object_repr} (#{text})" if entry is not None else f"#{text}"


def changed_rows(entry: LogEntry, *, look_up: bool = False) -> list[tuple[str, str, str]]:
    """(field, before, after) for each change of the entry, labelled and readable."""
    model = _model(entry)
    rows = []
    for name, change in (entry.changes_dict or {}).items():
        label = field_label(model, name)
        if isinstance(change, dict) and change.get("type") == "m2m":
            operation = M2M_OPERATIONS.get(change.get("operation"), change.get("operation"))
            names = AUTHENTICATOR_TYPES if name == "authenticator" else {}
            objects = ", ".join(str(names.get(o, o)) for o in change.get("objects", []))
            rows.append((label, "", f"{operation}: {objects}"))
            continue
        if not isinstance(change, list | tuple) or len(change) != 2:
            rows.append((label, "", str(change)))
            continue
        before, after = change
        rows.append(
            (
                label,
                readable(model, name, before, look_up=look_up),
                readable(model, name, after, look_up=look_up),
            )
        )
    return rows


def people_shown_count(entry: LogEntry) -> int | None:
    """How many people a shared access entry (a page of several people) showed; None for an
    entry about one row. Its people are rows of ``privacy.AccessedPerson``."""
    extra = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    count = extra.get("people")
    if entry.action != LogEntry.Action.ACCESS or entry.object_id is not None:
        return None
    return count if isinstance(count, int) else None


def staff_member_shown(entry: LogEntry) -> str:
    """Who acted: the account, or when it has been deleted, what the entry kept of it."""
    if entry.actor_id is not None and entry.actor is not None:
        return entry.actor.get_full_name() or entry.actor.get_username()
    if entry.actor_email:
        return gettext("%(name)s (account deleted)") % {"name": entry.actor_email}
    return gettext("the system")


class ActionFilter(admin.SimpleListFilter):
    title = pgettext_lazy("audit trail", "action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(str(value), label) for value, label in ACTIONS.items()]

    def queryset(self, request, queryset):
        value = self.value()
        if value in {str(v) for v in ACTIONS}:
            return queryset.filter(action=int(value))
        return queryset


class KindFilter(admin.SimpleListFilter):
    title = pgettext_lazy("audit trail", "about")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        types = ContentType.objects.get_for_models(*auditlog.get_models())
        return sorted(
            ((str(t.pk), capfirst(kind_name(m, plural=True))) for m, t in types.items()),
            key=lambda choice: str(choice[1]),
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) < 19:
            return queryset.filter(content_type_id=int(value))
        return queryset


class PersonFilter(admin.SimpleListFilter):
    """Everything about one person: their own row, their rows (roles, interactions, consents)
    and the duplicates merged into them. Reached with ``?person=<id>`` (from a link or typed);
    it never lists every person as a choice."""

    title = pgettext_lazy("audit trail", "person")
    parameter_name = "person"

    def lookups(self, request, model_admin):
        person = self.person()
        return [(str(person.pk), str(person))] if person is not None else []

    def person(self) -> Contact | None:
        value = self.value()
        if value and value.isdigit() and len(value) < 19:
            return Contact._base_manager.filter(pk=int(value)).first()
        return None

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        person = self.person()
        if person is None:
            # A person no longer in the register (erased or merged away): their own entries.
            if not (value.isdigit() and len(value) < 19):
                return queryset.none()
            contact_type = ContentType.objects.get_for_model(Contact)
            return queryset.filter(content_type=contact_type, object_id=int(value))
        # Reading a person's trail shows their data: it is an access like opening their page.
        log_access_many(request, [person], view="audit trail")
        return queryset.filter(about_rows_condition(audit_declaration().subject, person))


class StaffFilter(admin.SimpleListFilter):
    title = _("staff member")
    parameter_name = "staff"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [(str(u.pk), u.get_full_name() or u.get_username()) for u in staff]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) < 19:
            return queryset.filter(actor_id=int(value))
        return queryset


class AuditEntryAdmin(ViewOnlyAdmin, admin.ModelAdmin):
    list_display = ["entry_time", "staff_member", "what", "about", "summary", "address"]
    list_display_links = ["entry_time"]
    list_filter = [ActionFilter, PersonFilter, StaffFilter, KindFilter]
    list_select_related = ["content_type", "actor"]
    search_fields = ["object_repr", "actor_email", "actor__username", "actor__last_name"]
    search_help_text = _("What the entry is about, or a staff member's name or email address.")
    show_full_result_count = False
    fields = ["entry_time", "staff_member", "address", "what", "about", "changes_table", "notes"]
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        if "\x00" in search_term:  # PostgreSQL refuses NUL in a query: no entry holds one
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("when"), ordering="timestamp")
    def entry_time(self, entry):
        return when(entry.timestamp)

    @admin.display(description=_("staff member"))
    def staff_member(self, entry):
        return staff_member_shown(entry)

    @admin.display(description=pgettext_lazy("audit trail", "action"))
    def what(self, entry):
        return ACTIONS.get(entry.action, entry.action)

    @admin.display(description=pgettext_lazy("audit trail", "about"))
    def about(self, entry):
        """Without a link: the pages use ``_about_for``, which links for staff who may open it."""
        model = _model(entry)
        kind = capfirst(kind_name(model)) if model is not None else ""
        count = people_shown_count(entry)
        if count is not None:  # in the reader's language, whatever the writer's was
            return ngettext("%(count)d person", "%(count)d people", count) % {"count": count}
        return f"{kind}: {entry.object_repr}"

    def get_list_display(self, request):
        return [self._about_for(request) if f == "about" else f for f in self.list_display]

    def get_fields(self, request, obj=None):
        return [self._about_for(request) if f == "about" else f for f in self.fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def _about_for(self, request):
        """What an entry is about, linked to its row's page only for staff who may open it: a
        DPO reads entries about staff accounts, whose pages only administrators may open.
        (Bound to the request here rather than kept on the admin, which requests share.)"""

        @admin.display(description=pgettext_lazy("audit trail", "about"))
        def about(entry):
            model = _model(entry)
            kind = capfirst(kind_name(model)) if model is not None else ""
            plain = self.about(entry)
            if model is None or not request.user.has_perm(
                f"{model._meta.app_label}.view_{model._meta.model_name}"
            ):
                return plain
            try:
                url = reverse(
                    f"admin:{entry.content_type.app_label}_{entry.content_type.model}_change",
                    args=[entry.object_id if entry.object_id is not None else entry.object_pk],
                )
            except NoReverseMatch:
                return plain
            return format_html('{}: <a href="{}">{}</a>', kind, url, entry.object_repr)

        return about

    @admin.display(description=pgettext_lazy("audit trail", "changes"))
    def summary(self, entry):
        if entry.action in (LogEntry.Action.DELETE, LogEntry.Action.ACCESS):
            return ""
        parts = []
        changes = entry.changes_dict or {}
        if "merged_from" in changes:
            parts.append(
                gettext("merged with person %(id)s")
                % {"id": readable(None, "merged_from", changes["merged_from"][-1])}
            )
        names = [field_label(_model(entry), n) for n in changes if n != "merged_from"]
        if names:
            parts.append(", ".join(names))
        text = "; ".join(parts)
        return text if len(text) <= 120 else text[:119] + "…"

    @admin.display(description=pgettext_lazy("audit trail", "address"))
    def address(self, entry):
        return entry.remote_addr or "—"

    @admin.display(description=pgettext_lazy("audit trail", "changes"))
    def changes_table(self, entry):
        rows = changed_rows(entry, look_up=True)
        if not rows:
            return "—"
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            gettext("field"),
            pgettext("audit trail", "before"),
            pgettext("audit trail", "after"),
        )
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html('<table class="audit-changes">{}{}</table>', header, body)

    @admin.display(description=_("notes"))
    def notes(self, entry):
        extra = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        notes = []
        if "merged_from" in extra:
            notes.append(
                gettext("Written by a merge: person %(id)s was merged into another.")
                % {"id": f"#{extra['merged_from']}"}
            )
        if extra.get("path"):
            notes.append(gettext("Page: %(path)s") % {"path": extra["path"]})
        if people_shown_count(entry) is not None:
            ids = entry.people_shown.order_by("contact_id").values_list("contact_id", flat=True)
            notes.append(
                gettext("People shown: %(people)s") % {"people": ", ".join(f"#{i}" for i in ids)}
            )
        if extra.get("redacted"):
            notes.append(gettext("The values about the person were removed when they were erased."))
        return " ".join(notes) or "—"


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)
admin.site.register(LogEntry, AuditEntryAdmin)
# Rights requests with their actions; the register descriptions, the breach register and the
# report downloads. Imported last: they register their admins on the site configured above.
from . import admin_reports, admin_requests  # noqa: E402,F401
