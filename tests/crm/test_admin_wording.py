"""The Finnish admin reads as Finnish: counts take the partitive, one word means one thing, and
the index names no app or model in English."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.utils import translation

from crm import roles
from crm.models import Contact, Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _plural_names(language: str) -> set[str]:
    with translation.override(language):
        return {str(model._meta.verbose_name_plural) for model in admin.site._registry}


def _numbers_before_plural_nouns(html: str) -> list[str]:
    """ "200 henkilöt": a number followed by a model's plural name in the nominative."""
    text = re.sub(r"<[^>]+>", " ", html)
    nouns = "|".join(re.escape(n) for n in _plural_names("fi"))
    return re.findall(rf"\b\d+[ \xa0]+(?:{nouns})\b", text, flags=re.IGNORECASE)


def test_selecting_every_person_of_a_long_list_reads_right(sales):
    Contact.objects.bulk_create(
        Contact(first_name="Testi", last_name=f"Henkilö{i}", source="staff") for i in range(51)
    )

    page = sales.client.get("/admin/crm/contact/").content.decode()

    assert "Valitse kaikki" in page  # the list has more rows than a page
    assert _numbers_before_plural_nouns(page) == []


def test_deleting_organisations_reports_the_count_in_finnish(administrator):
    first, second = OrganisationFactory(), OrganisationFactory()

    response = administrator.client.post(
        "/admin/crm/organisation/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
        follow=True,
    )

    assert not Organisation.objects.exists()
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "2" in message and _numbers_before_plural_nouns(message) == []


def test_the_superuser_flag_and_the_administrator_role_have_different_finnish_names(superuser):
    with translation.override("fi"):
        flag = str(User._meta.get_field("is_superuser").verbose_name)
        role = str(roles.LABELS[roles.ADMINISTRATOR])
    assert flag.casefold() not in {role.casefold(), roles.ADMINISTRATOR.casefold()}

    page = superuser.client.get(f"/admin/auth/user/{superuser.user.pk}/change/").content.decode()
    label = re.search(r'<label[^>]*for="id_is_superuser"[^>]*>([^<]*)<', page).group(1)
    assert "pääkäyttäjä" not in label.casefold()


def test_the_admin_index_names_every_app_and_model_in_finnish(superuser):
    index = superuser.client.get("/admin/")
    app_list = index.context["app_list"]
    with translation.override("en"):
        english = {str(apps.get_app_config(app["app_label"]).verbose_name) for app in app_list} | {
            str(model._meta.verbose_name_plural) for model in admin.site._registry
        }

    shown = [app["name"] for app in app_list] + [m["name"] for a in app_list for m in a["models"]]
    assert [name for name in shown if name in english or name.capitalize() in english] == []
    html = index.content.decode()
    for word in ("MFA", "Authenticators", "Audit log", "Log entries"):
        assert word not in html


def test_the_authenticator_app_has_one_name_in_the_admin(superuser):
    page = superuser.client.get("/admin/mfa/authenticator/").content.decode()

    assert "Todennussovellus" in page
    assert "TOTP-tunnistin" not in page and "Tunnistinsovellus" not in page
