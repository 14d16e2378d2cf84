from typing import NamedTuple

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import Client

from config.celery import app as celery_app
from config.testing import sign_in_with_second_factor
from consent import services as consent_services
from consent.models import Purpose, Topic
from crm import roles


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Production serves hashed files from `collectstatic`'s manifest; tests don't collect.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process unless a test is marked ``broker`` and talks to a real worker."""
    if request.node.get_closest_marker("broker"):
        yield
        return
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def celery_conf():
    """Change Celery settings for one test; they are put back afterwards."""
    saved = {}

    def change(**values):
        for key, value in values.items():
            saved.setdefault(key, celery_app.conf[key])
            celery_app.conf[key] = value

    yield change
    celery_app.conf.update(saved)


# --- Staff ----------------------------------------------------------------------------------
# One staff member per role (crm/roles.py), each signed in with a second factor as allauth leaves
# a session after the password and the TOTP code: ``sales``, ``marketing``, ``event_organiser``,
# ``support``, ``dpo``, ``administrator``, plus ``staff_without_role`` and ``superuser``. Each is
# a ``StaffMember(user, client)`` with a client of its own, so a test can use several at once.
# ``staff_member`` runs a test once per role; narrow it with
# ``@pytest.mark.parametrize("staff_member", ["marketing", "dpo"], indirect=True)``.

ROLES = {
    "sales": roles.SALES,
    "marketing": roles.MARKETING,
    "event_organiser": roles.EVENT_ORGANISER,
    "support": roles.SUPPORT,
    "dpo": roles.DPO,
    "administrator": roles.ADMINISTRATOR,
}
STAFF_PASSWORD = "a-Long-staff-passphrase-1"


class StaffMember(NamedTuple):
    user: User
    client: Client

    @property
    def name(self) -> str:
        """The fixture's name ("sales"), which is also the username."""
        return self.user.username


def _staff_member(name: str, role: str | None, *, superuser: bool = False) -> StaffMember:
    user = User.objects.create_user(
        username=name,
        email=f"{name}@staff.example.com",
        password=STAFF_PASSWORD,
        is_staff=True,
        is_superuser=superuser,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    TOTP.activate(user, generate_totp_secret())
    return StaffMember(user, sign_in_with_second_factor(Client(), user))


@pytest.fixture
def sales(db):
    return _staff_member("sales", roles.SALES)


@pytest.fixture
def marketing(db):
    return _staff_member("marketing", roles.MARKETING)


@pytest.fixture
def event_organiser(db):
    return _staff_member("event_organiser", roles.EVENT_ORGANISER)


@pytest.fixture
def support(db):
    return _staff_member("support", roles.SUPPORT)


@pytest.fixture
def dpo(db):
    return _staff_member("dpo", roles.DPO)


@pytest.fixture
def administrator(db):
    return _staff_member("administrator", roles.ADMINISTRATOR)


@pytest.fixture
def staff_without_role(db):
    return _staff_member("staff_without_role", None)


@pytest.fixture
def superuser(db):
    return _staff_member("superuser", None, superuser=True)


@pytest.fixture(params=list(ROLES))
def staff_member(request, db):
    """Each role in turn; the test's id names the role's fixture (``[sales]``)."""
    return _staff_member(request.param, ROLES[request.param])


# --- Consents -------------------------------------------------------------------------------


@pytest.fixture
def purpose(db):
    """The training newsletter, with two topics and its consent text (version 1)."""
    newsletter = Purpose.objects.create(
        code="koulutuskirje",
        name_fi="Koulutuskirje",
        name_sv="Utbildningsbrev",
        name_en="Training newsletter",
        validity_days=730,
        renewal_days=30,
    )
    Topic.objects.create(purpose=newsletter, code="kurssit", name_fi="Kurssit", name_en="Courses")
    Topic.objects.create(
        purpose=newsletter, code="webinaarit", name_fi="Webinaarit", name_en="Webinars"
    )
    consent_services.consent_text_publish(
        purpose=newsletter,
        text_fi="Haluan koulutuskirjeen sähköpostiini. Voin perua suostumuksen milloin tahansa.",
        text_sv="Jag vill få utbildningsbrevet. Jag kan återkalla samtycket när som helst.",
        text_en="I want the training newsletter by email. I can withdraw at any time.",
    )
    return newsletter
