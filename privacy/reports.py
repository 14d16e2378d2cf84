"""The DPO's reports: the register description (tietosuojaseloste) per register and language,
the record of processing activities (GDPR Art. 30(1)), the consent report and the breach
register (Art. 33(5)), as WeasyPrint PDFs, and the register description as a public page.

Every report is built from live data: the register descriptions, the personal-data
declarations, the consent ledger and the breach register. The templates only display.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import registers
from .declarations import LegalBasis
from .models import Breach, Register

#: The supervisory authority in Finland (GDPR Art. 77): where a person may complain.
OMBUDSMAN = {
    "name_fi": "Tietosuojavaltuutetun toimisto",
    "name_sv": "Dataombudsmannens byrå",
    "name_en": "Office of the Data Protection Ombudsman",
    "address": "PL 800, 00531 Helsinki",
    "address_sv": "PB 800, 00531 Helsingfors",
    "address_en": "P.O. Box 800, FI-00531 Helsinki",
    "email": "tietosuoja@om.fi",
    "phone": "029 566 6700",
    "web": "https://tietosuoja.fi",
}

LANGUAGE_NAMES = {"fi": "suomeksi", "sv": "på svenska", "en": "in English"}


@dataclass
class RegisterReport:
    """What one register description says in one language; ``text`` is None when the register
    has no text in that language (the report then says so and shows nothing else)."""

    register: Register
    language: str
    text: object | None
    controller: dict
    fields: list
    categories: list
    purposes: list
    legal_bases: list
    retention_rules: list
    tombstone: list
    event_recipients: list
    generated_at: datetime.datetime
    fingerprint: str
    portal_url: str
    ombudsman: dict
    drift: registers.Drift | None = None
    available: list = field(default_factory=list)

    @property
    def contact_persons(self) -> list[str]:
        """The contact persons in the report's language (the text's list, whose roles are in
        that language), else the register's own list."""
        own = self.text.contact_persons if self.text is not None else ""
        return registers.text_lines(own or self.register.contact_persons)


def controller_of(register: Register) -> dict:
    """The controller as the register names it, each item defaulting to the settings."""
    return {
        "name": register.controller_name or settings.CONTROLLER_NAME,
        "address": register.controller_address or settings.CONTROLLER_ADDRESS,
        "business_id": register.controller_business_id or settings.CONTROLLER_BUSINESS_ID,
        "phone": register.controller_phone or settings.CONTROLLER_PHONE,
        "email": register.controller_email or settings.PRIVACY_CONTACT_EMAIL,
    }


def _event_recipients(register: Register, covered) -> list:
    """The events' recipients, when the register covers the events' data: each is a regular
    recipient of some participants' data (linked, not typed)."""
    if not any(f.app_label == "events" for f in covered):
        return []
    try:
        from events.models import Recipient
    except ImportError:  # pragma: no cover - events without recipients
        return []
    rows = (
        Recipient.objects.values("kind", "name")
        .annotate(events=Count("event", distinct=True))
        .order_by("kind", "name")
    )
    kinds = dict(Recipient.Kind.choices)
    return [
        {"name": r["name"], "kind": kinds.get(r["kind"], r["kind"]), "events": r["events"]}
        for r in rows
    ]


def _ombudsman(language: str) -> dict:
    suffix = {"fi": "", "sv": "_sv", "en": "_en"}[language]
    return {
        "name": OMBUDSMAN[f"name_{language}"],
        "address": OMBUDSMAN[f"address{suffix}"],
        "email": OMBUDSMAN["email"],
        "phone": OMBUDSMAN["phone"],
        "web": OMBUDSMAN["web"],
    }


def register_report(register: Register, language: str, *, with_drift: bool = True):
    """Everything the register description shows in ``language`` (call under
    ``translation.override(language)`` so that the declarations' names are in it)."""
    texts = {t.language: t for t in register.texts.all()}
    fields = registers.declared_fields()
    covered = registers.covered_fields(register, fields)
    purposes = [registers.PURPOSES[c] for c in register.purposes if c in registers.PURPOSES]
    bases = list(dict.fromkeys(b for p in purposes for b in p.legal_bases))
    with translation.override(language):
        portal = reverse("privacy:index")
    return RegisterReport(
        register=register,
        language=language,
        text=texts.get(language),
        controller=controller_of(register),
        fields=covered,
        categories=registers.covered_categories(register, fields),
        purposes=purposes,
        legal_bases=[LegalBasis(b) for b in bases],
        retention_rules=registers.retention_rules(covered),
        tombstone=registers.tombstone_fields(covered),
        event_recipients=_event_recipients(register, covered),
        generated_at=timezone.localtime(),
        fingerprint=registers.fingerprint(register),
        portal_url=settings.SITE_URL + portal,
        ombudsman=_ombudsman(language),
        drift=registers.drift() if with_drift else None,
        available=[lang for lang in registers.TEXT_LANGUAGES if lang in texts],
    )


def _pdf(template: str, context: dict) -> bytes:
    # WeasyPrint reports each step (even parsing its own stylesheets on import) at INFO: noise
    # in a command's output and in the logs.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=settings.SITE_URL).write_pdf()


def register_pdf(register: Register, language: str) -> bytes:
    with translation.override(language):
        report = register_report(register, language)
        return _pdf("privacy/reports/register.html", {"report": report, "lang": language})


def record_of_processing(language: str = "fi") -> bytes:
    """The record of processing activities (GDPR Art. 30(1)): every register, points (a)-(g)."""
    with translation.override(language):
        reports = [
            register_report(r, language, with_drift=False)
            for r in Register.objects.prefetch_related("texts")
        ]
        return _pdf(
            "privacy/reports/record.html",
            {"reports": reports, "lang": language, "generated_at": timezone.localtime()},
        )


# --- Consents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRow:
    purpose: object
    valid: int
    withdrawn: int
    expired: int
    #: [(month start, given, withdrawn, expired)] for the last months, oldest first.
    trend: list


def consent_rows(*, months: int = 6, now=None) -> list[ConsentRow]:
    """Per purpose: how many consents are valid, withdrawn and expired now (a valid consent
    whose time has run out counts as expired), and the ledger's changes month by month."""
    from consent.models import ConsentEvent, ConsentState, Purpose

    now = now or timezone.now()
    Status, Kind = ConsentState.Status, ConsentEvent.Kind
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    counts = {
        r["purpose"]: r
        for r in ConsentState.objects.values("purpose").annotate(
            valid=Count("pk", filter=Q(status=Status.VALID) & live),
            withdrawn=Count("pk", filter=Q(status=Status.WITHDRAWN)),
            expired=Count("pk", filter=Q(status=Status.EXPIRED) | (Q(status=Status.VALID) & ~live)),
        )
    }
    local = timezone.localtime(now)
    starts = []
    year, month = local.year, local.month
    for _i in range(months):
        starts.append(
            local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)
        )
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()
    first = starts[0]
    events = (
        ConsentEvent.objects.filter(at__gte=first)
        .exclude(source=ConsentEvent.Source.MERGE)
        .values_list("purpose_id", "kind", "at")
    )
    trend: dict = {}
    for purpose_id, kind, at in events:
        at = timezone.localtime(at)
        key = (at.year, at.month)
        slot = trend.setdefault(purpose_id, {}).setdefault(key, [0, 0, 0])
        if kind in (Kind.GIVEN, Kind.RENEWED):
            slot[0] += 1
        elif kind == Kind.WITHDRAWN:
            slot[1] += 1
        elif kind == Kind.EXPIRED:
            slot[2] += 1
    rows = []
    for purpose in Purpose.objects.order_by("code"):
        c = counts.get(purpose.pk, {})
        months_of = trend.get(purpose.pk, {})
        rows.append(
            ConsentRow(
                purpose=purpose,
                valid=c.get("valid", 0),
                withdrawn=c.get("withdrawn", 0),
                expired=c.get("expired", 0),
                trend=[(s.date(), *months_of.get((s.year, s.month), [0, 0, 0])) for s in starts],
            )
        )
    return rows


def consent_pdf(language: str = "fi") -> bytes:
    with translation.override(language):
        return _pdf(
            "privacy/reports/consents.html",
            {"rows": consent_rows(), "lang": language, "generated_at": timezone.localtime()},
        )


def consent_csv_rows() -> list[list]:
    header = [_("purpose"), _("month"), _("given"), _("withdrawn"), _("expired"), _("valid now")]
    out = [header]
    for row in consent_rows():
        for start, given, withdrawn, expired in row.trend:
            out.append([row.purpose.code, start.isoformat(), given, withdrawn, expired, row.valid])
    return out


# --- Breaches ---------------------------------------------------------------------------------


def breach_pdf(language: str = "fi") -> bytes:
    from .declarations import Category

    labels = dict(Category.choices)
    with translation.override(language):
        breaches = [
            (b, [str(labels.get(c, c)) for c in b.categories])
            for b in Breach.objects.order_by("discovered_at")
        ]
        return _pdf(
            "privacy/reports/breaches.html",
            {"breaches": breaches, "lang": language, "generated_at": timezone.localtime()},
        )


def hours_left(breach: Breach, now=None) -> float:
    """Hours until the 72-hour deadline (negative: past it)."""
    now = now or timezone.now()
    return (breach.notify_by - now).total_seconds() / 3600


# --- Rights requests --------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestTypeRow:
    type_label: str
    received: int
    completed: int
    rejected: int
    open: int
    extended: int
    overdue: int
    median_days: float | None


@dataclass(frozen=True)
class RequestLog:
    start: datetime.date
    end: datetime.date
    rows: list
    total: RequestTypeRow
    #: Requests answered late or still open past their deadline: (request, days late).
    overdue: list
    #: Portal requests whose mailed link was never opened: no one proved the address, so they
    #: are not requests of anyone's yet (the portal files them alike for unknown addresses).
    unconfirmed: int = 0


def _answered_at(request) -> datetime.datetime | None:
    """When the person got the answer: completion, or the rejection's transition."""
    if request.completed_at:
        return request.completed_at
    if request.state == request.State.REJECTED:
        moves = [t.at for t in request.transitions.all() if t.to_state == request.State.REJECTED]
        return moves[-1] if moves else None
    return None


def request_log(*, start: datetime.date, end: datetime.date, now=None) -> RequestLog:
    """The rights requests received from ``start`` to ``end`` (inclusive) by type and outcome,
    the median days from receipt to answer, extensions, and those answered late or overdue
    (GDPR Art. 12(3): one month, extendable by two). No names or addresses: the DPO's log
    counts and dates requests; the admin shows who."""
    import statistics

    from .models import RequestTransition, RightsRequest

    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    received = RightsRequest.objects.filter(received_at__gte=since, received_at__lt=until)
    proven = ~Q(channel=RightsRequest.Channel.PORTAL) | Exists(
        RequestTransition.objects.filter(
            request=OuterRef("pk"), to_state=RightsRequest.State.IDENTITY_VERIFIED
        )
    )
    requests = list(
        received.filter(proven).prefetch_related("transitions").order_by("received_at", "pk")
    )
    State = RightsRequest.State
    by_type: dict = {}
    overdue = []
    for request in requests:
        by_type.setdefault(request.type, []).append(request)
        answered = _answered_at(request)
        late_by = (answered or now) - request.deadline
        if late_by.total_seconds() > 0:
            overdue.append((request, late_by.days, answered is None))

    def row(label, items):
        days = [
            (a - r.received_at).total_seconds() / 86400
            for r in items
            if (a := _answered_at(r)) is not None
        ]
        return RequestTypeRow(
            type_label=label,
            received=len(items),
            completed=sum(r.state == State.COMPLETED for r in items),
            rejected=sum(r.state == State.REJECTED for r in items),
            open=sum(r.is_open for r in items),
            extended=sum(r.extended_until is not None for r in items),
            overdue=sum(1 for o in overdue if o[0] in items),
            median_days=round(statistics.median(days), 1) if days else None,
        )

    labels = dict(RightsRequest.Type.choices)
    rows = [row(str(labels[t]), by_type[t]) for t in RightsRequest.Type.values if t in by_type]
    return RequestLog(
        start=start,
        end=end,
        rows=rows,
        total=row(_("All"), requests),
        overdue=overdue,
        unconfirmed=received.exclude(proven).count(),
    )


def request_log_pdf(language: str, *, start: datetime.date, end: datetime.date) -> bytes:
    with translation.override(language):
        log = request_log(start=start, end=end)
        return _pdf(
            "privacy/reports/requests.html",
            {"log": log, "lang": language, "generated_at": timezone.localtime()},
        )


def request_log_csv_rows(*, start: datetime.date, end: datetime.date) -> list[list]:
    log = request_log(start=start, end=end)
    header = [
        _("Right"),
        pgettext("request log", "Received"),
        pgettext("request log", "Completed"),
        pgettext("request log", "Rejected"),
        _("Open"),
        pgettext("request log", "Extended"),
        _("Late or overdue"),
        _("Median days to answer"),
    ]
    out = [header]
    for r in [*log.rows, log.total]:
        out.append(
            [
                r.type_label,
                r.received,
                r.completed,
                r.rejected,
                r.open,
                r.extended,
                r.overdue,
                "" if r.median_days is None else r.median_days,
            ]
        )
    return out
