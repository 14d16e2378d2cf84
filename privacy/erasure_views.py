"""The erasure preview and approval on a rights request (staff admin; DPO and Administrator,
who hold ``privacy.complete_rightsrequest``): what will be deleted, anonymised and kept, under
which law and until when, then a confirmed POST that approves and queues the job."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .declarations import RowErasure
from .erasure import erasure_plan
from .erasure_jobs import ERASABLE_STATES, ErasureRefused, erasure_approve
from .models import RightsRequest

PERMISSION = "privacy.approve_erasure"


class ApproveErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the preview: erase this person as shown."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


def erasure_applies(request_row: RightsRequest) -> bool:
    return (
        request_row.type == RightsRequest.Type.ERASURE
        and request_row.state in ERASABLE_STATES
        and request_row.contact_id is not None
        and not (request_row.payload or {}).get("erasure_approved_at")
    )


def erasure_preview_view(model_admin, request, object_id: int):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    row = get_object_or_404(RightsRequest.objects.select_related("contact"), pk=object_id)
    if not erasure_applies(row):
        messages.error(request, gettext("This request cannot be approved for erasure now."))
        return redirect("admin:privacy_rightsrequest_change", row.pk)
    form = ApproveErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure_approve(request=row, actor=request.user)
        except ErasureRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("Erasure approved; the person will be erased in a moment.")
            )
            return redirect("admin:privacy_rightsrequest_change", row.pk)
    plan = erasure_plan(contact=row.contact)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Erasure preview"),
        "original": row,
        "opts": RightsRequest._meta,
        "form": form,
        "deleted": [m for m in plan.models if m.erase is RowErasure.DELETE],
        "anonymised": [m for m in plan.models if m.erase is not RowErasure.DELETE],
        "kept": [(m, k) for m in plan.models for k in m.kept],
    }
    return render(
        request,
        "admin/privacy/rightsrequest/erasure_preview.html",
        context,
        status=400 if request.method == "POST" else 200,
    )
