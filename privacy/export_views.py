"""The public download of a data export: /privacy/download/<token>/ (privacy.export).

Opening the link shows a page with a button; the download itself is a POST (with CSRF), so a
mail program or virus scanner that opens links does not use the single-use link up. The file
is streamed from an open handle whose file is already removed from the disk.
"""

from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from config.access import public

from .export import ExportUnavailable, export_fetch, export_lookup

_STATUS = {"unknown": 404, "used": 410, "expired": 410}


def _unavailable(request, reason: str):
    texts = {
        "unknown": (
            _("This link does not work"),
            _(
                "The download link is not valid. Check that you copied the whole address from "
                "the message, or ask for your data again on the privacy page."
            ),
        ),
        "used": (
            _("This link has already been used"),
            _(
                "The file was downloaded once and then removed from our service, as promised. "
                "If you did not download it, ask for your data again on the privacy page."
            ),
        ),
        "expired": (
            _("This link has expired"),
            _(
                "The file was removed when the link expired. You may ask for your data again on "
                "the privacy page."
            ),
        ),
    }
    title, text = texts[reason]
    return render(
        request,
        "privacy/export/unavailable.html",
        {"title": title, "text": text},
        status=_STATUS[reason],
    )


@public
@never_cache
@require_http_methods(["GET", "POST"])
def export_download(request, token: str):
    if request.method == "GET":
        try:
            export = export_lookup(token=token)
        except ExportUnavailable as error:
            return _unavailable(request, error.reason)
        return render(request, "privacy/export/download.html", {"export": export})
    try:
        export, handle = export_fetch(token=token)
    except ExportUnavailable as error:
        return _unavailable(request, error.reason)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"data-{export.created_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response
