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
from privacy import requests as rights
from privacy.models import RightsRequest
from tests.conftest import ROLES
from tests.factories import ContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

# Per role (as tests/conftest.py names its fixtures): v = view, a = add, c = change, d = delete
EXPECTED = {
    "sales": {
        "import": "yes",
        "merge": "yes",
        "contact": "vac",
        "organisation": "vac",
        "interaction": "vac",
        "logentry": "",
        "user": "",
        "rightsrequest": "",
    },
    "marketing": {
        "import": "",
        "merge": "",
        "contact": "v",
        "organisation": "v",
        "interaction": "",
        "logentry": "",
        "user": "",
        "rightsrequest": "",
    },
    "event_organiser": {
        "import": "",
        "merge": "",
        "contact": "vac",
        "organisation": "v",
        "interaction": "",
        "logentry": "",
        "user": "",
        "rightsrequest": "",
    },
    "support": {
        "import": "",
        "merge": "",
        "contact": "vc",
        "organisation": "v",
        "interaction": "vac",
        "logentry": "",
        "user": "",
        "rightsrequest": "",
    },
    "dpo": {
        "import": "",
        "merge": "",
        "contact": "v",
        "organisation": "v",
        "interaction": "v",
        "logentry": "v",
        "user": "",
        "rightsrequest": "va",
    },
    "administrator": {
        "import": "yes",
        "merge": "yes",
        "contact": "vac",
        "organisation": "vacd",
        "interaction": "vacd",
        "logentry": "v",
        "user": "vac",
        "rightsrequest": "va",
    },
}


def _objects(staff_user):
    contact = ContactFactory()
    organisation = OrganisationFactory()
    interaction = Interaction.objects.create(contact=contact, kind="call", summary="Soitto")
    entry = LogEntry.objects.get_for_object(contact).first()
    request = rights.staff_request_record(
        type="access",
        contact=contact,
        channel="letter",
        identity_check="Signed letter",
        language="fi",
        actor="staff",
    )
    return {
        "contact": (Contact, contact),
        "organisation": (Organisation, organisation),
        "interaction": (Interaction, interaction),
        "logentry": (LogEntry, entry),
        "user": (get_user_model(), staff_user),
        "rightsrequest": (RightsRequest, request),
    }


def _url(model, action, obj=None):
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}"
    return reverse(name, args=[obj.pk] if obj is not None else [])


def test_every_role_has_its_fixture_and_its_row_in_the_table():
    assert sorted(ROLES.values()) == sorted(roles.ROLES)
    assert set(EXPECTED) == set(ROLES)


def test_each_role_can_do_exactly_what_the_readme_says(staff_member):
    user, client = staff_member
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
    a, b = ContactFactory(), ContactFactory()
    seen["import"] = "yes" if client.get("/admin/crm/contact/import/").status_code == 200 else ""
    merge_page = client.get(f"/admin/crm/contact/merge/?into={a.pk}&merge={b.pk}")
    seen["merge"] = "yes" if merge_page.status_code == 200 else ""

    assert seen == EXPECTED[staff_member.name]


def test_staff_without_a_role_sees_nothing(staff_without_role):
    assert staff_without_role.client.get("/admin/crm/contact/").status_code == 403


def test_nobody_deletes_a_contact_in_the_admin(superuser):
    contact = ContactFactory()

    assert superuser.client.get(_url(Contact, "delete", contact)).status_code == 403


def test_an_administrator_cannot_make_anyone_a_superuser(administrator):
    admin_user, client = administrator
    page = client.get(f"/admin/auth/user/{admin_user.pk}/change/")
    form = page.context["adminform"].form

    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields
    response = client.post(
        f"/admin/auth/user/{admin_user.pk}/change/",
        {
            "username": admin_user.username,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [g.pk for g in admin_user.groups.all()],
        },
    )
    assert response.status_code == 302  # saved, without the field the form does not have
    admin_user.refresh_from_db()
    assert not admin_user.is_superuser


def test_an_administrator_cannot_change_a_superuser(administrator, superuser):
    page = administrator.client.get(f"/admin/auth/user/{superuser.user.pk}/change/")

    assert page.status_code == 200 and not page.context["has_change_permission"]
