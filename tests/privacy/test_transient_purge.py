"""Transient personal data (an uploaded import file) is cleared after its declared maximum."""

import dataclasses
import datetime

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from crm.models import ImportJob
from privacy import declarations

pytestmark = pytest.mark.django_db


def test_the_purge_reads_the_maximum_from_the_declaration(monkeypatch, sales):
    real = declarations.registry.get(ImportJob)
    fields = dict(real.fields)
    fields["content"] = dataclasses.replace(fields["content"], max_days=2)
    monkeypatch.setitem(
        declarations.registry._declarations,
        "crm.ImportJob",
        dataclasses.replace(real, fields=fields),
    )
    job = ImportJob.objects.create(
        file_name="jasenet.csv",
        content=b"email\naino@example.com\n",
        encoding="utf-8",
        uploaded_by=sales.user,
    )
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    celery_app.loader.import_default_modules()  # as a worker does: every app's tasks
    purge = celery_app.tasks["crm.import_jobs_purge"]  # the beat job, wherever it lives

    assert purge.apply().get() == 1
    job.refresh_from_db()
    assert bytes(job.content) == b""


def test_the_maximum_is_asked_of_a_transient_field_only():
    assert declarations.registry.transient_max_days(ImportJob, "content") == 7
    with pytest.raises(LookupError):
        declarations.registry.transient_max_days(ImportJob, "file_name")
