"""Merging duplicate contacts: choose which record is kept, see both, confirm."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from config.access import staff_permission

from . import services
from .audit import log_access_many
from .models import Contact


def _compared_fields() -> list[str]:
    """Everything personal the two records hold, as the declarations list it."""
    from privacy.declarations import registry

    return list(registry.get(Contact).personal_fields())


def _as_id(value) -> int:
    """A row id from a form, or 0 (which matches nothing and answers 404), never a 500."""
    return int(value) if value and str(value).isdigit() else 0


def confirm(request, model_admin, people, survivor_pk=None):
    rows = [
        (
            Contact._meta.get_field(name).verbose_name,
            [
                getattr(p, f"get_{name}_display", lambda n=name, p=p: getattr(p, n))()
                for p in people
            ],
        )
        for name in _compared_fields()
    ]
    log_access_many(request, people)  # both records are shown in full
    counts = [(p.memberships.count(), p.interactions.count()) for p in people]
    return TemplateResponse(
        request,
        "admin/crm/contact/merge.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": Contact._meta,
            "title": _("Merge duplicate contacts"),
            "people": list(zip(people, counts, strict=True)),
            "rows": rows,
            "survivor_pk": survivor_pk or people[0].pk,
        },
    )


@staff_permission("crm.merge_contacts", "crm.change_contact")
def merge_view(request):
    from django.contrib import admin

    if request.method == "POST":
        survivor = get_object_or_404(Contact, pk=_as_id(request.POST.get("survivor")))
        ids = {int(i) for i in request.POST.getlist("contact") if i.isdigit()}
        if len(ids) != 2 or survivor.pk not in ids:
            messages.error(request, _("Select exactly two contacts to merge."))
            return redirect("admin:crm_contact_changelist")
        (duplicate_pk,) = ids - {survivor.pk}
        duplicate = get_object_or_404(Contact, pk=duplicate_pk)
        try:
            services.contact_merge(survivor=survivor, duplicate=duplicate, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin:crm_contact_change", survivor.pk)
        messages.success(
            request,
            _("%(duplicate)s was merged into %(survivor)s.")
            % {"duplicate": duplicate, "survivor": survivor},
        )
        return redirect("admin:crm_contact_change", survivor.pk)
    people = [
        get_object_or_404(Contact, pk=_as_id(request.GET.get("into"))),
        get_object_or_404(Contact, pk=_as_id(request.GET.get("merge"))),
    ]
    if people[0].pk == people[1].pk:
        return redirect("admin:crm_contact_change", people[0].pk)
    return confirm(request, admin.site._registry[Contact], people, survivor_pk=people[0].pk)
