"""The staff person page's privacy banners, so that crm/admin.py does not know about them."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def restriction_banner(context, contact):
    """A restricted person (GDPR Art. 18): staff see it before doing anything with the data;
    the DPO and the Administrator get a link to lift it."""
    from privacy.models import Restriction

    if contact is None or getattr(contact, "pk", None) is None:
        return ""
    restriction = (
        Restriction.objects.filter(contact=contact, lifted_at__isnull=True)
        .order_by("since")
        .first()
    )
    if restriction is None:
        return ""
    link = ""
    user = getattr(context.get("request"), "user", None)
    if user is not None and user.has_perm("privacy.lift_restriction"):
        link = format_html(
            ' <a href="{}">{}</a>',
            reverse("admin:privacy_restriction_lift", args=[restriction.pk]),
            _("Lift the restriction"),
        )
    return format_html(
        '<ul class="messagelist"><li class="warning" role="alert">{}{}</li></ul>',
        _(
            "Processing of this person's data is restricted at their request since %(date)s: "
            "keep the data stored, but do not use, change or disclose it, and do not send them "
            "marketing."
        )
        % {"date": restriction.since.strftime("%d.%m.%Y")},
        link,
    )
