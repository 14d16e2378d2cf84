"""The consent ledger on a person's page in the staff admin (crm's ContactAdmin), shown to
staff who may view the ledger, with a link to record a consent given on paper or by phone."""

from django import template

from consent import selectors

register = template.Library()


@register.inclusion_tag("admin/consent/ledger.html", takes_context=True)
def consent_ledger(context, contact):
    user = context["request"].user
    if contact is None or contact.pk is None or not user.has_perm("consent.view_consentevent"):
        return {"shown": False}
    return {
        "shown": True,
        "contact": contact,
        "states": list(
            contact.consents.select_related("purpose", "text").prefetch_related("topics")
        ),
        "events": list(selectors.ledger_of(contact=contact)),
        "can_record": user.has_perm("consent.add_consentevent"),
    }
