"""Every URL's view states who may use it: @public, or a staff/permission check."""

from django.contrib.admindocs.views import extract_views_from_urlpatterns
from django.urls import get_resolver

# Views from Django, allauth and DRF that carry their own access rules.
TRUSTED_PREFIXES = ("django.", "allauth.", "rest_framework.", "drf_spectacular.")


def _marked(view) -> bool:
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        if getattr(view, "access", None):
            return True
        view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
        if view_class is not None and getattr(view_class, "access", None):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def test_every_project_view_declares_its_access():
    unmarked = []
    for view, pattern, _namespace, _name in extract_views_from_urlpatterns(
        get_resolver().url_patterns
    ):
        module = getattr(view, "__module__", "") or ""
        if module.startswith(TRUSTED_PREFIXES):
            continue
        if getattr(view, "model_admin", None) is not None:
            continue  # wrapped by admin_site.admin_view: staff only, then the model's permissions
        if not _marked(view):
            unmarked.append(f"{module}.{getattr(view, '__name__', view)} at {pattern}")

    assert unmarked == []


def test_staff_pages_follow_the_language_the_staff_member_chose(dpo):
    finnish = dpo.client.get("/admin/", headers={"accept-language": "en"})
    dpo.client.post("/i18n/setlang/", {"language": "sv", "next": "/admin/"})
    swedish = dpo.client.get("/admin/")

    assert '<html lang="fi"' in finnish.content.decode()  # not the browser's English
    assert '<html lang="sv"' in swedish.content.decode()


def test_public_pages_still_take_their_language_from_the_address(client, db):
    client.cookies["django_language"] = "sv"

    assert '<html lang="en">' in client.get("/en/privacy/").content.decode()
    assert '<html lang="fi">' in client.get("/privacy/").content.decode()


def test_the_admin_offers_the_other_languages(dpo):
    page = dpo.client.get("/admin/").content.decode()

    assert 'name="language" value="sv"' in page and 'name="language" value="en"' in page
