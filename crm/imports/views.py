"""The staff screens of a contact import: upload, map the columns, preview, confirm, follow.

Each view needs the crm.import_contacts permission and the rights an import uses (adding and
changing contacts); a job (which holds an uploaded file of personal data) is visible only to the
person who uploaded it.
"""

import csv
import io

from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from config.access import staff_permission
from crm.models import ImportJob
from crm.validators import find_personal_identity_codes

from . import services
from .forms import ImportMappingForm, ImportUploadForm
from .parse import EXAMPLE_HEADER, EXAMPLE_ROWS, MAX_BYTES, TARGETS, ImportFileError
from .write import ImportRefused, changes_of_person

PREVIEW_ROWS = 10
# Rows checked while the page is built; the import checks them all (a worker, for big files).
CHECKED_ON_PAGE = 2_000
LISTED_ERRORS = 100


def _context(request, **extra):
    return {**admin.site.each_context(request), "opts": ImportJob._meta, **extra}


IMPORT_PERMISSIONS = ("crm.import_contacts", "crm.add_contact", "crm.change_contact")


@staff_permission(*IMPORT_PERMISSIONS)
def upload_view(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:  # before reading it into memory
            form.add_error("file", _("The file is larger than 50 MB. Split it into smaller files."))
            return _upload_page(request, form)
        try:
            job = services.import_upload(
                uploaded_by=request.user, file_name=upload.name, raw=upload.read()
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("admin:crm_contact_import_job", job_id=job.pk)
    return _upload_page(request, form)


def _upload_page(request, form):
    recent = ImportJob.objects.filter(uploaded_by=request.user).defer("content")[:10]
    return TemplateResponse(
        request,
        "admin/crm/contact/import_upload.html",
        _context(request, form=form, recent=recent, title=_("Import contacts")),
    )


@staff_permission(*IMPORT_PERMISSIONS)
def job_view(request, job_id):
    job = get_object_or_404(ImportJob, pk=job_id, uploaded_by=request.user)
    if job.status != ImportJob.Status.UPLOADED:
        return _status(request, job)

    try:
        results, parsed = services.import_preview(job=job, limit=CHECKED_ON_PAGE)
    except ImportFileError as error:
        # A file kept from before a limit was added (the column cap): say why and drop it.
        services.import_cancel(job=job)
        messages.error(request, str(error))
        return redirect("admin:crm_contact_import")
    form = ImportMappingForm(
        request.POST or None,
        header=parsed.header,
        initial={f"column_{i}": t for i, t in job.mapping.items()},
    )
    if request.method == "POST":
        if "cancel" in request.POST:
            services.import_cancel(job=job)
            messages.info(request, _("The import was cancelled and the file removed."))
            return redirect("admin:crm_contact_import")
        if form.is_valid():
            mapping = form.cleaned_data["mapping"]
            skip_invalid = form.cleaned_data["skip_invalid"]
            errors = sum(1 for r in results if r.errors)
            try:
                # Import only the mapping whose preview the user saw; a changed one is kept and
                # previewed first.
                if "import" not in request.POST or mapping != job.mapping:
                    services.import_mapping_set(job=job, mapping=mapping)
                    return redirect("admin:crm_contact_import_job", job_id=job.pk)
                if errors and not skip_invalid:
                    messages.error(
                        request,
                        _(
                            "%(count)d rows have errors. Correct the file, or choose to skip "
                            "the rows with errors."
                        )
                        % {"count": errors},
                    )
                else:
                    services.import_queue(job=job, mapping=mapping, skip_invalid=skip_invalid)
                    return redirect("admin:crm_contact_import_job", job_id=job.pk)
            except ValidationError as error:  # the service's check of the file's columns
                form.add_error(None, error)
            except ImportRefused as refusal:  # pressed twice, or in two tabs
                messages.error(request, str(refusal))
                return redirect("admin:crm_contact_import_job", job_id=job.pk)

    mapped = [(int(i), t) for i, t in sorted(job.mapping.items(), key=lambda kv: int(kv[0]))]
    column_of = {t: i for i, t in mapped}
    bad = [r for r in results if r.errors]

    def cells(result):
        return parsed.rows[result.number - 2]

    def cell(result, target):
        row, index = cells(result), column_of.get(target)
        return row[index] if index is not None and index < len(row) else ""

    shown = results[:PREVIEW_ROWS]
    return TemplateResponse(
        request,
        "admin/crm/contact/import_job.html",
        _context(
            request,
            title=_("Import %(file)s") % {"file": job.file_name},
            job=job,
            form=form,
            columns=[TARGETS[t] for _i, t in mapped],
            sample=[
                (
                    r.number,
                    r.person,
                    [_shown_cell(cell(r, t)) for _i, t in mapped],
                    [
                        (TARGETS[name], _shown(before), _shown(after))
                        for name, before, after in changes_of_person(r)
                    ],
                )
                for r in shown
            ],
            total=len(parsed.rows),
            checked=len(results),
            valid=len(results) - len(bad),
            updates=sum(1 for r in results if r.person is not None and not r.errors),
            errors=[
                (r.number, TARGETS.get(field, field), _shown_cell(cell(r, field)), message)
                for r in bad[:LISTED_ERRORS]
                for field, message in r.errors.items()
            ],
            error_rows=len(bad),
        ),
    )


def _shown(value) -> str:
    """A value as the preview shows it: a municipality by name, nothing as a dash."""
    return "–" if value in (None, "") else str(value)


def _shown_cell(value: str) -> str:
    """A cell as the preview shows it: not a personal identity code, which the register must
    not show back any more than hold."""
    if find_personal_identity_codes(value):
        return _("(hidden: a personal identity code)")
    return value


@staff_permission(*IMPORT_PERMISSIONS)
def example_view(request):
    """A small file with the column names the import recognises, for staff to start from."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXAMPLE_HEADER)
    writer.writerows(EXAMPLE_ROWS)
    # With a byte-order mark, as Excel writes UTF-8, so that Excel opens "ä" as "ä".
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="tuonti-esimerkki.csv"'
    return response


def _status(request, job):
    done = cache.get(services.import_progress_key(job.pk)) or 0
    return TemplateResponse(
        request,
        "admin/crm/contact/import_status.html",
        _context(
            request,
            title=_("Import %(file)s") % {"file": job.file_name},
            job=job,
            done=done,
            percent=int(100 * done / job.total_rows) if job.total_rows else 0,
            running=job.status == ImportJob.Status.QUEUED,
        ),
    )
