"""The person's copy of their data (GDPR Art. 15 access and Art. 20 portability).

``export_write`` writes one ZIP: ``data.json`` (schema in docs/export-schema.md, versioned by
``SCHEMA_VERSION``), one CSV per kind of record (``privacy.csv``: formula-safe), and
``report.pdf``, a readable report in the person's language with the Art. 15 information. All of
it comes from the personal-data declarations (``privacy.selectors.held_records``): a field
declared tomorrow is in tomorrow's export without a change here.

It streams: each model's rows are read in chunks and written at once into ``data.json`` (a ZIP
entry open for writing) and into that model's CSV (a temporary file, copied into the ZIP after
``data.json`` is closed), so memory does not grow with the person's history; the PDF shows the
first ``PDF_ROWS_PER_KIND`` rows of each kind and says where the rest are. The queries are one
per declared model (plus one per many-to-many field and a few for the Art. 15 information),
however many rows the person has.

``export_build`` wraps it for a rights request: the ZIP goes to ``PRIVACY_EXPORT_ROOT`` (never
served by the web server), a ``DataExport`` row keeps only a hash of the download token, the
person gets a single-use link valid ``PRIVACY_EXPORT_DAYS`` days, and the request is completed.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import hashlib
import io
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .csv import CsvFile
from .declarations import (
    SUBJECT_MODEL,
    Category,
    LegalBasis,
    ModelDeclaration,
    PersonalCopy,
    field_label,
    registry,
)
from .selectors import held_records, subject_declarations, subject_ids

logger = logging.getLogger(__name__)

#: The version of data.json's shape (docs/export-schema.md). Raise it when a key changes meaning
#: or goes away; adding a key is compatible and keeps it.
SCHEMA_VERSION = 1
#: Rows of one kind the PDF shows in full; the rest are in data.json and the kind's CSV.
PDF_ROWS_PER_KIND = 10
#: Rows read from the database per round trip.
CHUNK_SIZE = 1000

#: The supervisory authority (GDPR Art. 15(1)(f), 77).
COMPLAINT_AUTHORITY = {
    "name": gettext_lazy("Office of the Data Protection Ombudsman"),
    "website": "https://tietosuoja.fi",
    "postal_address": gettext_lazy("P.O. Box 800, 00531 Helsinki"),
    "email": "tietosuoja@om.fi",
    "phone": "029 566 6700",
}

RIGHTS = (
    ("access", gettext_lazy("You may see the data we hold about you and get a copy of it.")),
    ("rectification", gettext_lazy("You may have incorrect data corrected.")),
    (
        "erasure",
        gettext_lazy(
            "You may ask us to erase your data when nothing in law requires us to keep it."
        ),
    ),
    (
        "restriction",
        gettext_lazy(
            "You may ask us to restrict the processing of your data while a question about it "
            "is settled."
        ),
    ),
    (
        "portability",
        gettext_lazy(
            "You may receive the data you gave us in a machine-readable form (data.json and the "
            "CSV files of this package) and take it elsewhere."
        ),
    ),
    (
        "objection",
        gettext_lazy("You may withdraw a consent and object to direct marketing at any time."),
    ),
    (
        "complaint",
        gettext_lazy("You may complain to the Data Protection Ombudsman:"),
    ),
)


def csv_name(model_label: str) -> str:
    """The CSV file of a kind of record: ``crm.Contact`` → ``csv/crm_contact.csv``."""
    return "csv/" + model_label.replace(".", "_").lower() + ".csv"


def json_value(value):
    """A value as data.json stores it: JSON's own types as they are, dates in ISO 8601, amounts
    and everything else (phone numbers, countries, addresses) as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | Promise):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_value(v) for v in value]
    return str(value)


def _cell(value) -> str:
    value = json_value(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return "" if value is None else str(value)


def _shown(value) -> str:
    """A value as the PDF report shows it to the person: a date or time (or its ISO 8601 text)
    in local time and their language's format; anything else as in the CSV."""
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return _cell(value)


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}|$)")


def _short(text: str, limit: int = 300) -> str:
    """A value as the PDF shows it: long free text and JSON cut (the whole is in data.json)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _field_info(declaration: ModelDeclaration, name: str, d) -> dict:
    info = {
        "label": field_label(declaration.model, name),
        "purpose": d.purpose.code,
        "retention": d.retention.code,
    }
    if isinstance(d, PersonalCopy):
        info["copy_of"] = d.of or "the row the entry is about"
        info["category"] = "copy"
        info["sensitive"] = False
    else:
        info["category"] = d.category.value
        info["sensitive"] = d.sensitive
    return info


@dataclass
class _Kind:
    """What the PDF and the Art. 15 section need of one kind of record, gathered as it streams."""

    label: str
    name: str
    csv: str
    fields: list[tuple[str, str]]
    count: int = 0
    shown: list[list[tuple[str, str]]] = field(default_factory=list)


def _information(contact, kinds: list[ModelDeclaration]) -> dict:
    """The Art. 15(1) information from the declarations and the policy: purposes with their
    legal bases, categories, retention, sources, recipients, rights, the complaint authority."""
    purposes, retentions, categories = {}, {}, set()
    sensitive = False
    for declaration in kinds:
        for d in declaration.held_fields().values():
            purposes[d.purpose.code] = d.purpose
            retentions[d.retention.code] = d.retention
            if isinstance(d, PersonalCopy):
                categories.update(
                    c.category for c in registry.copied_fields(d, declaration.model_label).values()
                )
            else:
                categories.add(d.category)
                sensitive = sensitive or d.sensitive
    subject = registry.get(SUBJECT_MODEL)
    provenance = [
        {
            "field": name,
            "label": field_label(subject.model, name),
            "value": _provenance_value(contact, name),
        }
        for name, d in subject.personal_fields().items()
        if d.category is Category.RECORD
    ]
    return {
        "purposes": [
            {
                "code": p.code,
                "name": str(p.name),
                "legal_bases": [
                    {"code": b.value, "name": str(LegalBasis(b).label)} for b in p.legal_bases
                ],
                "description": str(p.description),
            }
            for p in purposes.values()
        ],
        "categories": [
            {"code": c.value, "name": str(c.label)}
            for c in Category
            if c in categories  # in the declaration's order
        ],
        "special_categories": sensitive,
        "retention": [
            {
                "code": r.code,
                "name": str(r.name),
                "description": str(r.description),
                "law": str(r.law),
            }
            for r in retentions.values()
        ],
        "sources": provenance,
        "recipients": recipients_for_contact(contact),
        "automated_decisions": str(
            gettext_lazy("We do not use your data for profiling or automated decisions.")
        ),
        "rights": [{"code": code, "text": str(text)} for code, text in RIGHTS],
        "complaint_authority": {k: str(v) for k, v in COMPLAINT_AUTHORITY.items()},
    }


def _provenance_value(contact, name):
    model_field = contact._meta.get_field(name)
    if model_field.choices:
        return getattr(contact, f"get_{name}_display")()
    return json_value(getattr(contact, name))


def recipients_for_contact(contact) -> list[dict]:
    """The recipients the person's data went to, from the events' disclosure log (Art. 15(1)(c)):
    who, for which event, when, and which fields and questions. One query."""
    try:
        from events.models import RECIPIENT_FIELDS, DisclosedPerson
    except ImportError:  # pragma: no cover - the events app is part of the project
        return []
    rows = (
        DisclosedPerson.objects.filter(contact_id__in=subject_ids(contact))
        .select_related("disclosure__event", "disclosure__recipient")
        .order_by("disclosure__sent_at", "pk")
    )
    found = []
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        disclosure = row.disclosure
        recipient = disclosure.recipient
        found.append(
            {
                "name": disclosure.recipient_name,
                "kind": recipient.get_kind_display() if recipient else "",
                "event": _event_title(disclosure.event),
                "sent_at": disclosure.sent_at.isoformat(),
                "fields": [str(RECIPIENT_FIELDS.get(f, f)) for f in disclosure.fields or []],
                "questions": [
                    q.get("text", "") if isinstance(q, dict) else str(q)
                    for q in disclosure.questions or []
                ],
            }
        )
    return found


def _event_title(event) -> str:
    language = translation.get_language() or "fi"
    return getattr(event, f"title_{language}", "") or event.title_fi


@dataclass(frozen=True)
class ExportSummary:
    size: int
    rows: dict[str, int]


def export_write(*, contact, language: str, target) -> ExportSummary:
    """Write the person's export as a ZIP into ``target`` (a path or a binary file object
    opened for writing). Reads only; changes nothing."""
    with translation.override(language):
        return _write(contact, language, target)


def _write(contact, language, target) -> ExportSummary:
    now = timezone.now()
    ids = subject_ids(contact)
    declarations = subject_declarations()
    kinds: list[_Kind] = []
    with (
        tempfile.TemporaryDirectory(prefix="rekisteri-export-") as scratch,
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        with archive.open("data.json", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
            out.write("{\n")
            _pair(out, "schema", "rekisteri.export")
            _pair(out, "version", SCHEMA_VERSION)
            _pair(out, "generated_at", now.isoformat())
            _pair(out, "language", language)
            _pair(
                out,
                "controller",
                {
                    "name": settings.CONTROLLER_NAME,
                    "address": settings.CONTROLLER_ADDRESS,
                    "business_id": settings.CONTROLLER_BUSINESS_ID,
                    "privacy_contact": settings.PRIVACY_CONTACT_EMAIL,
                },
            )
            _pair(out, "subject", {"id": contact.pk, "merged_ids": ids[1:]})
            out.write('"records": {')
            first_kind = True
            held_kinds = []
            for declaration in declarations:
                kind = _write_kind(out, declaration, contact, ids, scratch, first_kind)
                if kind is None:
                    continue
                first_kind = False
                kinds.append(kind)
                held_kinds.append(declaration)
            out.write("\n},\n")
            information = _information(contact, held_kinds)
            out.write('"information": ')
            json.dump(information, out, ensure_ascii=False, indent=1)
            out.write("\n}\n")
            out.flush()
            out.detach()
        for kind in kinds:
            archive.write(os.path.join(scratch, kind.csv.replace("/", "_")), kind.csv)
        archive.writestr("README.txt", _readme(kinds))
        pdf = _pdf(contact=contact, kinds=kinds, information=information, now=now)
        archive.writestr("report.pdf", pdf)
    size = os.path.getsize(target) if isinstance(target, str | os.PathLike) else target.tell()
    return ExportSummary(size=size, rows={k.label: k.count for k in kinds})


_dumps = json.JSONEncoder(ensure_ascii=False).encode  # one string per row, one write


def _pair(out, key, value) -> None:
    out.write(json.dumps(key) + ": " + json.dumps(value, ensure_ascii=False) + ",\n")


def _write_kind(out, declaration, contact, ids, scratch, first_kind) -> _Kind | None:
    """One model's rows into data.json and into its CSV, as they are read. None when the person
    has no rows of this kind (nothing is written)."""
    records = held_records(declaration, contact, ids, chunk_size=CHUNK_SIZE)
    first = next(records, None)
    if first is None:
        return None
    held = declaration.held_fields()
    model = declaration.model
    kind = _Kind(
        label=declaration.model_label,
        name=str(model._meta.verbose_name_plural),
        csv=csv_name(declaration.model_label),
        fields=[(n, field_label(model, n)) for n in held],
    )
    out.write(("" if first_kind else ",") + "\n" + json.dumps(kind.label) + ": ")
    head = {
        "name": kind.name,
        "csv": kind.csv,
        "fields": {n: _field_info(declaration, n, d) for n, d in held.items()},
    }
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [')
    path = os.path.join(scratch, kind.csv.replace("/", "_"))
    with open(path, "w", encoding="utf-8", newline="") as sheet:
        writer = CsvFile(sheet, ["id", *(n for n, _label in kind.fields)])

        def rows():
            record = first
            while record is not None:
                yield record
                record = next(records, None)

        for record in rows():
            values = {v.field: json_value(v.value) for v in record.values}
            row = {"id": json_value(record.pk), "values": values}
            out.write(("" if kind.count == 0 else ",") + "\n " + _dumps(row))
            cells = [_cell(v.value) for v in record.values]
            writer.writerow([record.pk, *cells])
            if len(kind.shown) < PDF_ROWS_PER_KIND:
                shown = [_short(_shown(v.value)) for v in record.values]
                labels = (label for _n, label in kind.fields)
                kind.shown.append(list(zip(labels, shown, strict=True)))
            kind.count += 1
    out.write("\n]}")
    return kind


def _readme(kinds: list[_Kind]) -> str:
    lines = [
        _("Your data from %(controller)s") % {"controller": settings.CONTROLLER_NAME},
        "",
        _("report.pdf: a readable report of the data and how it is used."),
        _("data.json: all of the data in a machine-readable form (schema version %(v)s).")
        % {"v": SCHEMA_VERSION},
        "",
    ]
    lines += [f"{k.csv}: {k.name} ({k.count})" for k in kinds]
    return "\n".join(lines) + "\n"


def _pdf(*, contact, kinds, information, now) -> bytes:
    from weasyprint import HTML

    information = {
        **information,
        "sources": [{**s, "value": _shown(s["value"])} for s in information["sources"]],
    }
    html = render_to_string(
        "privacy/export/report.html",
        {
            "kinds": kinds,
            "information": information,
            "now": now,
            "rows_per_kind": PDF_ROWS_PER_KIND,
            "controller": {
                "name": settings.CONTROLLER_NAME,
                "address": settings.CONTROLLER_ADDRESS,
                "business_id": settings.CONTROLLER_BUSINESS_ID,
                "email": settings.PRIVACY_CONTACT_EMAIL,
            },
            "language": translation.get_language(),
            "schema_version": SCHEMA_VERSION,
        },
    )
    return HTML(string=html, base_url=settings.SITE_URL).write_pdf()


# --- The download ---------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What is stored of a download token: its SHA-256. The token itself is only in the mail."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def export_root() -> str:
    root = str(settings.PRIVACY_EXPORT_ROOT)
    os.makedirs(root, mode=0o700, exist_ok=True)
    return root


def remove_file(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def move_into_root(temporary: str, name: str) -> str:
    final = os.path.join(export_root(), name)
    shutil.move(temporary, final)
    return final


def export_create(*, contact, language: str, now=None):
    """Build the person's ZIP into ``PRIVACY_EXPORT_ROOT`` and record it; returns the
    ``DataExport`` and the download token (the only copy of it: it goes into the mail).

    The file is written under a temporary name and renamed into place before the row is
    committed; a crash in between leaves a file no row names, which the purge removes.
    """
    from .models import DataExport

    now = now or timezone.now()
    root = export_root()
    name = f"{uuid.uuid4().hex}.zip"
    partial = os.path.join(root, f".{name}.partial")
    try:
        summary = export_write(contact=contact, language=language, target=partial)
        os.replace(partial, os.path.join(root, name))
    finally:
        remove_file(partial)
    token = new_token()
    export = DataExport(
        contact=contact,
        language=language,
        file_name=name,
        token_hash=token_hash(token),
        size=summary.size,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.PRIVACY_EXPORT_DAYS),
    )
    export.full_clean()
    export.save()
    return export, token


def export_path(export) -> str:
    return os.path.join(str(settings.PRIVACY_EXPORT_ROOT), export.file_name)


class ExportUnavailable(Exception):
    """The download link is unknown, used or expired (``reason``: unknown, used, expired)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def export_lookup(*, token: str):
    """The export a download token names, or ExportUnavailable saying why not."""
    from .models import DataExport

    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise ExportUnavailable("unknown")
    export = DataExport.objects.filter(token_hash=token_hash(token)).first()
    if export is None:
        raise ExportUnavailable("unknown")
    if export.fetched_at is not None:
        raise ExportUnavailable("used")
    if export.deleted_at is not None or export.expires_at <= timezone.now():
        raise ExportUnavailable("expired")
    return export


def export_fetch(*, token: str):
    """Claim the export for one download and hand back its open file; the file is already
    removed from the disk (the open handle keeps it readable until the download ends), so it
    is gone even if the download is interrupted or the process dies.

    The claim is a conditional update: of two browsers racing with the same link, one wins and
    the other is told the link was used.
    """
    from .models import DataExport

    export = export_lookup(token=token)
    path = export_path(export)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - the response closes it
    except FileNotFoundError:
        raise ExportUnavailable("expired") from None
    now = timezone.now()
    won = DataExport.objects.filter(
        pk=export.pk, fetched_at=None, deleted_at=None, expires_at__gt=now
    ).update(fetched_at=now, deleted_at=now)
    if not won:
        handle.close()
        raise ExportUnavailable("used")
    remove_file(path)
    return export, handle


def exports_purge(*, now=None) -> int:
    """Remove expired exports' files, and files no live row names (a row erasure deleted, a
    build that died half-way). Running it twice is harmless. Returns how many files went."""
    from .models import DataExport

    now = now or timezone.now()
    removed = 0
    expired = DataExport.objects.filter(deleted_at=None, expires_at__lte=now)
    for export in expired.only("pk", "file_name").iterator(chunk_size=CHUNK_SIZE):
        if DataExport.objects.filter(pk=export.pk, deleted_at=None).update(deleted_at=now):
            remove_file(export_path(export))
            removed += 1
    root = str(settings.PRIVACY_EXPORT_ROOT)
    if os.path.isdir(root):
        live = set(DataExport.objects.filter(deleted_at=None).values_list("file_name", flat=True))
        grace = now.timestamp() - 3600  # a build in progress writes its file for a while
        for entry in os.scandir(root):
            name = entry.name.removeprefix(".").removesuffix(".partial")
            if name not in live and entry.is_file() and entry.stat().st_mtime < grace:
                remove_file(entry.path)
                removed += 1
    return removed


# --- The rights request's job -----------------------------------------------------------------

EXPORT_TYPES = ("access", "portability")
EXPORTABLE_STATES = ("identity_verified", "in_progress", "extended")


def export_queue(*, request) -> None:
    """Queue the export of an access or portability request when the caller's transaction
    commits, through the request's job (``privacy.tasks.rights_request_run`` dispatches to
    ``export_build``): a rolled-back request queues nothing and the sweeper re-sends a lost
    one."""
    from .requests import request_job_queue

    request_job_queue(request=request)


def export_build(*, request) -> bool:
    """Build the person's ZIP for an access or portability request whose identity is verified,
    mail them the single-use link, and complete the request. Returns whether it built one.

    Idempotent: the request is locked and must still be open; a request that already has an
    export is completed without a second one. The file is written before the transaction that
    records it; the link is mailed after that transaction commits.
    """
    from .models import DataExport, RightsRequest
    from .requests import request_transition

    request = RightsRequest.objects.filter(pk=request.pk).select_related("contact").first()
    if (
        request is None
        or request.type not in EXPORT_TYPES
        or request.state not in EXPORTABLE_STATES
        or request.contact is None
    ):
        return False
    language = request.language or request.contact.preferred_language or "fi"
    with transaction.atomic(durable=True):
        locked = RightsRequest.objects.select_for_update().get(pk=request.pk)
        if (
            locked.state not in EXPORTABLE_STATES
            or DataExport.objects.filter(request=locked).exists()
        ):
            return False
        export, token = export_create(contact=request.contact, language=language)
        export.request = locked
        export.save(update_fields=["request"])
        request_transition(
            request=locked,
            to=RightsRequest.State.COMPLETED,
            actor="system (export)",
            note=_("A copy of the data was made and its download link mailed."),
        )
        address = request.contact.email or request.email
        transaction.on_commit(
            lambda: _link_send(address=address, language=language, token=token, export=export)
        )
    return True


def download_url(token: str, language: str) -> str:
    with translation.override(language):
        path = reverse("privacy:export_download", kwargs={"token": token})
    return settings.SITE_URL + path


def _link_send(*, address, language, token, export) -> None:
    with translation.override(language):
        subject = _("Your data is ready to download")
        body = render_to_string(
            "privacy/mail/export_ready.txt",
            {
                "url": download_url(token, language),
                "expires": export.expires_at,
                "controller": settings.CONTROLLER_NAME,
                "privacy_email": settings.PRIVACY_CONTACT_EMAIL,
            },
        )
    EmailMessage(
        subject=str(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"X-Rekisteri-Mail-Kind": "service"},
    ).send()
