"""The roles table of README.md, enforced against every admin model.

The expectations are written out here on purpose (not read from crm/roles.py), so a change of
roles.py that breaks the documented promise fails.
"""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import reverse

from crm import roles
from crm.models import Contact, Interaction, Organisation
from tests.factories import ContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

# v = view, a = add, c = change, d = delete
EXPECTED = {
    roles.SALES: {
        "contact": "vac",
        "organisation": "vac",
        "interaction": "vac",
        "logentry": "",
        "user": "",
    },
    roles.MARKETING: {
        "contact": "v",
        "organisation": "v",
        "interaction": "",
        "logentry": "",
        "user": "",
    },
    roles.EVENT_ORGANISER: {
        "contact": "vac",
        "organisation": "v",
        "interaction": "",
        "logentry": "",
        "user": "",
    },
    roles.SUPPORT: {
        "contact": "vc",
        "organisation": "v",
        "interaction": "vac",
        "logentry": "",
        "user": "",
    },
    roles.DPO: {
        "contact": "v",
        "organisation": "v",
        "interaction": "v",
        "logentry": "v",
        "user": "",
    },
    roles.ADMINISTRATOR: {
        "contact": "vac",
        "organisation": "vacd",
        "interaction": "vacd",
        "logentry": "v",
        "user": "vac",
    },
}


def _objects(staff_user):
    contact = ContactFactory()
    organisation = OrganisationFactory()
    interaction = Interaction.objects.create(contact=contact, kind="call", summary="Soitto")
    entry = LogEntry.objects.get_for_object(contact).first()
    return {
        "contact": (Contact, contact),
        "organisation": (Organisation, organisation),
        "interaction": (Interaction, interaction),
        "logentry": (LogEntry, entry),
        "user": (get_user_model(), staff_user),
    }


def _url(model, action, obj=None):
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}"
    return reverse(name, args=[obj.pk] if obj is not None else [])


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_can_do_exactly_what_the_readme_says(client, role):
    from tests.conftest import make_staff, signed_in_with_second_factor

    user = make_staff(role)
    signed_in_with_second_factor(client, user)
    seen = {}
    for key, (model, obj) in _objects(user).items():
        can = ""
        if client.get(_url(model, "changelist")).status_code == 200:
            can += "v"
        if client.get(_url(model, "add")).status_code == 200:
            can += "a"
        change = client.get(_url(model, "change", obj))
        if change.status_code == 200 and change.context["has_change_permission"]:
            can += "c"
        if client.get(_url(model, "delete", obj)).status_code == 200:
            can += "d"
        seen[key] = can

    assert seen == EXPECTED[role]


def test_staff_without_a_role_sees_nothing(client):
    from tests.conftest import make_staff, signed_in_with_second_factor

    signed_in_with_second_factor(client, make_staff(None))

    assert client.get("/admin/crm/contact/").status_code == 403


def test_nobody_deletes_a_contact_in_the_admin(admin_client):
    contact = ContactFactory()
    from tests.conftest import signed_in_with_second_factor

    superuser = get_user_model().objects.get(username="admin")
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(superuser, generate_totp_secret())
    signed_in_with_second_factor(admin_client, superuser)

    assert admin_client.get(_url(Contact, "delete", contact)).status_code == 403
