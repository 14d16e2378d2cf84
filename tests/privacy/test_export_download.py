"""The download link of a data export: single use, 7 days, the file gone after either."""

import datetime
import os

import pytest
from django.test import Client
from django.utils import timezone

from privacy.export import export_create, export_path, exports_purge
from privacy.models import DataExport
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.PRIVACY_EXPORT_ROOT = tmp_path / "exports"
    return settings.PRIVACY_EXPORT_ROOT


@pytest.fixture
def export():
    person = ContactFactory(first_name="Åsa", preferred_language="sv")
    return export_create(contact=person, language="sv")


def _url(token, language="sv"):
    prefix = "" if language == "fi" else f"/{language}"  # Finnish has no prefix
    return f"{prefix}/privacy/download/{token}/"


def test_the_link_shows_a_button_and_the_post_downloads_the_zip_once(export):
    row, token = export
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(_url(token))
    assert page.status_code == 200 and "Ladda ner" in page.content.decode()
    csrf = page.cookies["csrftoken"].value
    response = browser.post(_url(token), {"csrfmiddlewaretoken": csrf})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"PK")  # a ZIP
    assert not os.path.exists(export_path(row))  # gone from the disk once fetched
    row.refresh_from_db()
    assert row.fetched_at and row.deleted_at


def test_a_second_browser_after_the_first_download_is_told_it_was_used(export):
    _row, token = export
    Client().post(_url(token))

    again = Client().get(_url(token))
    posted = Client().post(_url(token))

    assert again.status_code == 410 and posted.status_code == 410
    assert "redan använts" in again.content.decode()  # Swedish page: already used


def test_a_post_without_csrf_downloads_nothing(export):
    row, token = export

    response = Client(enforce_csrf_checks=True).post(_url(token))

    assert response.status_code == 403
    row.refresh_from_db()
    assert row.fetched_at is None and os.path.exists(export_path(row))


@pytest.mark.parametrize("change", ["forged", "altered", "truncated", "junk"])
def test_forged_or_altered_links_open_nothing(export, change):
    row, token = export
    bad = {
        "forged": "A" * 43,
        "altered": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "truncated": token[:20],
        "junk": "%00<script>",
    }[change]

    for response in (Client().get(_url(bad)), Client().post(_url(bad))):
        assert response.status_code == 404
        assert "fungerar inte" in response.content.decode()
    row.refresh_from_db()
    assert row.fetched_at is None and os.path.exists(export_path(row))


def test_an_expired_link_is_refused_and_the_purge_removes_the_file(export):
    row, token = export
    DataExport.objects.filter(pk=row.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = Client().post(_url(token, "fi"))

    assert response.status_code == 410 and "vanhentunut" in response.content.decode()
    assert os.path.exists(export_path(row))
    assert exports_purge() == 1
    assert not os.path.exists(export_path(row))
    row.refresh_from_db()
    assert row.deleted_at is not None and row.fetched_at is None
    assert exports_purge() == 0  # twice is harmless


def test_the_link_lasts_seven_days_and_only_a_hash_of_the_token_is_stored(export):
    row, token = export
    assert datetime.timedelta(days=6, hours=23) < row.expires_at - row.created_at
    assert row.expires_at - row.created_at <= datetime.timedelta(days=7)
    assert token not in repr(DataExport.objects.values().get())


def test_the_purge_removes_a_file_whose_row_erasure_deleted(export, export_root):
    row, _token = export
    DataExport.objects.filter(pk=row.pk).delete()

    assert exports_purge(now=timezone.now() + datetime.timedelta(hours=2)) == 1
    assert os.listdir(export_root) == []
