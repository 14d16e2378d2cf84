"""Contact imports from other systems' CSV files, as staff use them and as files go wrong."""

import contextlib
import datetime

import pytest
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from crm import bulk, services
from crm.imports import services as imports
from crm.imports import views as import_views
from crm.imports.parse import CONTACT_FIELDS, ImportFileError, guess_mapping, parse
from crm.imports.write import CreateChanges, ImportRefused
from crm.models import Contact, ImportJob, Membership, Municipality, Organisation
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

WEBROPOL = (
    "Etunimi;Sukunimi;Sähköposti;Puhelin;Kotikunta;Organisaatio;Y-tunnus;Tehtävänimike\r\n"
    "Aino;Äijälä;aino@example.com;040 123 4567;Jyväskylä;Jyväskylän Yliopisto;0245872-8;Tutkija\r\n"
    "Öljy;Ölander;olli@example.com;+358 50 765 4321;091;;;\r\n"
)


def _upload(client, text, name="webropol.csv", encoding="utf-8-sig"):
    response = client.post(
        "/admin/crm/contact/import/",
        {"file": SimpleUploadedFile(name, text.encode(encoding), "text/csv")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk"), response["Location"]


def _mapping_post(job, **extra):
    data = {f"column_{i}": t for i, t in job.mapping.items()}
    return {**data, **extra}


@pytest.fixture
def confirm(sales, django_capture_on_commit_callbacks):
    """Press Import; the queued task runs when the request's transaction commits, as in life."""

    def press(location, data):
        with django_capture_on_commit_callbacks(execute=True):
            return sales.client.post(location, data, follow=True)

    return press


# --- Reading files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8-sig", WEBROPOL),
        ("cp1252", WEBROPOL),
        ("utf-8", WEBROPOL.replace(";", ",")),
    ],
)
def test_the_dialects_finnish_offices_produce_are_read(encoding, text):
    parsed = parse(text.encode(encoding))

    assert parsed.header[1] == "Sukunimi"
    assert parsed.rows[0][1] == "Äijälä" and parsed.rows[1][0] == "Öljy"
    assert guess_mapping(parsed.header) == {
        "0": "first_name",
        "1": "last_name",
        "2": "email",
        "3": "phone",
        "4": "municipality",
        "5": "organisation_name",
        "6": "business_id",
        "7": "job_title",
    }


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x00\x01PK\x03\x04 binary", id="a zip file"),
        pytest.param(b"Etunimi;Sukunimi\r\n", id="a header without rows"),
        pytest.param(b"\xff\xfe\x00a", id="UTF-16 with a byte-order mark"),
    ],
)
def test_unreadable_files_get_a_clear_error(raw):
    with pytest.raises(ImportFileError):
        parse(raw)


@given(st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_clearly(raw):
    with contextlib.suppress(ImportFileError):
        parse(raw)


# --- The flow in the admin -----------------------------------------------------------------


def test_upload_preview_and_import(sales, confirm):
    existing = ContactFactory(email="olli@example.com", first_name="Olli", source="staff")

    job, location = _upload(sales.client, WEBROPOL)
    preview = sales.client.get(location)
    assert preview.status_code == 200
    assert preview.context["valid"] == 2 and preview.context["error_rows"] == 0

    response = confirm(location, _mapping_post(job, **{"import": "1"}))
    assert response.status_code == 200

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count) == (1, 1)
    assert bytes(job.content) == b""  # the file is gone once imported
    aino = Contact.objects.get(email="aino@example.com")
    assert (aino.last_name, str(aino.phone), aino.municipality.code) == (
        "Äijälä",
        "+358401234567",
        "179",
    )
    assert (aino.source, aino.source_detail) == ("import", "webropol.csv")
    role = Membership.objects.get(contact=aino)
    assert (role.organisation.business_id, role.job_title) == ("0245872-8", "Tutkija")
    existing.refresh_from_db()
    assert existing.first_name == "Öljy" and existing.source == "staff"  # updated, not duplicated
    assert Contact.objects.count() == 2
    entry = LogEntry.objects.get_for_object(existing).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == sales.user
    assert entry.changes_dict["first_name"] == ["Olli", "Öljy"]
    assert entry.additional_data["file"] == "webropol.csv"


BAD = (
    "first_name,last_name,email,phone,business_id,organisation\n"
    "Hyvä,Rivi,hyva@example.com,0401234567,,\n"
    "Huono,Sposti,ei-sahkoposti,,,\n"
    "Väärä,Y-tunnus,vy@example.com,,1234567-8,Oy\n"
    "Outo,Numero,on@example.com,12,,\n"
    "Hetu,131052-308T,hetu@example.com,,,\n"
    "Tupla,Rivi,HYVA@example.com,,,\n"
)


def test_every_bad_row_is_listed_and_nothing_is_imported(sales):
    job, location = _upload(sales.client, BAD, encoding="utf-8")

    preview = sales.client.get(location)
    errors = {(row, str(field)) for row, field, _value, _message in preview.context["errors"]}
    assert errors == {
        (3, "sähköposti"),
        (4, "Y-tunnus"),
        (5, "puhelin"),
        (6, "sukunimi"),
        (7, "sähköposti"),
    }
    assert "Sisältää suomalaisen henkilötunnuksen" in preview.content.decode()

    refused = sales.client.post(location, _mapping_post(job, **{"import": "1"}), follow=True)

    assert "5 riviä on virheellisiä" in refused.content.decode()
    assert not Contact.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


def test_skipping_bad_rows_imports_only_the_good_ones(sales, confirm):
    job, location = _upload(sales.client, BAD, encoding="utf-8")

    confirm(location, _mapping_post(job, skip_invalid="on", **{"import": "1"}))

    job.refresh_from_db()
    assert (job.status, job.created_count, job.skipped_count) == ("done", 1, 5)
    assert list(Contact.objects.values_list("email", flat=True)) == ["hyva@example.com"]


def test_a_mapping_must_name_the_names_and_use_a_field_once(sales):
    job, location = _upload(sales.client, WEBROPOL)
    data = _mapping_post(job, preview="1")
    data["column_1"] = "first_name"  # last name column mapped as first name too

    response = sales.client.post(location, data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Contact.objects.exists()


def test_a_failure_half_way_leaves_the_register_as_it_was(sales, confirm, monkeypatch, caplog):
    """The second batch meets the database's unique address: a colleague saved a person with an
    address of that batch while the first batch was being written. Nothing of the first batch
    remains, and the person it updated is as they were."""
    kept = ContactFactory(email="p5@example.com", first_name="Ennallaan", last_name="Ennallaan")
    rows = "".join(f"Etu{i};Suku{i};p{i}@example.com;Oy {i % 3}\r\n" for i in range(2500))
    job, location = _upload(sales.client, "Etunimi;Sukunimi;Sähköposti;Organisaatio\r\n" + rows)
    write_rows = bulk.insert_dicts

    def colleague_saves_first(model, new_rows, **kwargs):
        if model is Contact and any(r["email"] == "p2400@example.com" for r in new_rows):
            services.contact_create(
                source=Contact.Source.STAFF,
                first_name="Kollega",
                last_name="Lisäsi",
                email="p2400@example.com",
            )
        write_rows(model, new_rows, **kwargs)

    monkeypatch.setattr(bulk, "insert_dicts", colleague_saves_first)

    confirm(location, _mapping_post(job, **{"import": "1"}))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "mitään ei tuotu" in job.failure
    # Django's IntegrityError (SQLite), or psycopg's from COPY (PostgreSQL): the database said no.
    failures = [type(r.exc_info[1]) for r in caplog.records if r.exc_info]
    assert any(c.__name__ == "IntegrityError" for failure in failures for c in failure.__mro__)
    assert list(Contact.objects.all()) == [kept]
    kept.refresh_from_db()
    assert (kept.first_name, kept.last_name) == ("Ennallaan", "Ennallaan")
    assert not Organisation.objects.exists() and not Membership.objects.exists()
    register = LogEntry.objects.filter(content_type__app_label="crm")  # not the staff's accounts
    assert not register.exclude(content_type__model="contact", object_pk=str(kept.pk)).exists()
    assert not register.filter(action=LogEntry.Action.UPDATE).exists()


PROVENANCE = ("source", "source_detail", "collected_at")


def test_no_column_can_set_where_the_data_came_from(sales):
    text = "Etunimi;Sukunimi;Lähde;source;source_detail;collected_at\r\nAino;Aalto;x;y;z;2020\r\n"
    job, location = _upload(sales.client, text, encoding="utf-8")
    assert set(job.mapping.values()) == {"first_name", "last_name"}  # nothing guessed for them

    for column, target in enumerate(PROVENANCE, start=3):
        with pytest.raises(ValidationError):
            imports.import_mapping_set(job=job, mapping={**job.mapping, str(column): target})
        response = sales.client.post(
            location, _mapping_post(job, preview="1", **{f"column_{column}": target})
        )
        assert response.context["form"].errors  # not a choice on the page either
    job.refresh_from_db()
    assert set(job.mapping.values()) == {"first_name", "last_name"}


def test_an_import_that_updates_a_person_leaves_where_their_data_came_from(sales, confirm):
    collected = timezone.now() - datetime.timedelta(days=400)
    person = ContactFactory(
        email="olli@example.com",
        source=Contact.Source.WEB_FORM,
        source_detail="Kevätlomake",
        collected_at=collected,
    )
    job, location = _upload(sales.client, WEBROPOL)

    confirm(location, _mapping_post(job, **{"import": "1"}))

    person.refresh_from_db()
    assert person.first_name == "Öljy"  # updated
    assert (person.source, person.source_detail, person.collected_at) == (
        "web_form",
        "Kevätlomake",
        collected,
    )
    entry = LogEntry.objects.get_for_object(person).get(action=LogEntry.Action.UPDATE)
    assert not set(PROVENANCE) & entry.changes_dict.keys()


def test_a_mapping_the_file_cannot_follow_is_refused_by_the_service(sales):
    job, _location = _upload(sales.client, WEBROPOL)
    guessed = dict(job.mapping)

    for mapping in (
        {"0": "first_name"},  # no last name
        {**guessed, "9": "phone"},  # no such column
        {**guessed, "3": "first_name"},  # a field from two columns
    ):
        with pytest.raises(ValidationError):
            imports.import_mapping_set(job=job, mapping=mapping)
        with pytest.raises(ValidationError):
            imports.import_queue(job=job, mapping=mapping, skip_invalid=True)
    job.refresh_from_db()
    assert (job.mapping, job.status) == (guessed, ImportJob.Status.UPLOADED)


def test_a_mapping_cannot_change_once_the_import_is_queued(sales, confirm):
    job, location = _upload(sales.client, WEBROPOL)
    confirm(location, _mapping_post(job, **{"import": "1"}))

    with pytest.raises(ImportRefused):
        imports.import_mapping_set(job=job, mapping={"0": "last_name", "1": "first_name"})
    job.refresh_from_db()
    assert job.mapping["0"] == "first_name"


def test_a_task_delivered_twice_imports_once(sales, confirm):
    job, location = _upload(sales.client, WEBROPOL)
    confirm(location, _mapping_post(job, **{"import": "1"}))

    assert imports.import_run(job_id=job.pk) is None
    assert Contact.objects.count() == 2


def test_a_large_file_runs_as_a_job_and_shows_its_progress(
    sales, django_capture_on_commit_callbacks
):
    rows = "".join(f"Etu{i};Suku{i};p{i}@example.com\r\n" for i in range(2500))
    job, location = _upload(sales.client, "Etunimi;Sukunimi;Sähköposti\r\n" + rows)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        sales.client.post(location, _mapping_post(job, **{"import": "1"}))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and len(queued) == 1
    waiting = sales.client.get(location)
    assert waiting.context["running"] and b'http-equiv="refresh"' in waiting.content

    queued[0]()  # the worker runs the task

    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 2500)
    assert sales.client.get(location).context["done"] == 2500


@pytest.mark.parametrize(
    "staff_member", ["support", "marketing", "dpo", "event_organiser"], indirect=True
)
def test_only_roles_that_may_add_and_change_contacts_and_import_can_import(staff_member):
    client = staff_member.client

    assert client.get("/admin/crm/contact/import/").status_code == 403
    response = client.post(
        "/admin/crm/contact/import/",
        {"file": SimpleUploadedFile("x.csv", WEBROPOL.encode(), "text/csv")},
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_an_import_is_visible_only_to_its_uploader(sales, administrator):
    """Even an Administrator, who may import too, cannot open a colleague's uploaded file."""
    _job, location = _upload(sales.client, WEBROPOL)

    assert administrator.user.has_perms(import_views.IMPORT_PERMISSIONS)
    assert administrator.client.get(location).status_code == 404


def test_cancelling_removes_the_file(sales):
    job, location = _upload(sales.client, WEBROPOL)

    sales.client.post(location, _mapping_post(job, cancel="1"))

    job.refresh_from_db()
    assert job.status == "cancelled" and bytes(job.content) == b""


def test_forgotten_files_are_purged_after_seven_days(sales):
    job, _location = _upload(sales.client, WEBROPOL)

    assert imports.import_jobs_purge(now=timezone.now() + datetime.timedelta(days=6)) == 0
    assert imports.import_jobs_purge(now=timezone.now() + datetime.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert bytes(job.content) == b""


def test_organisations_match_whatever_the_case_of_their_name(sales, confirm):
    existing = Organisation.objects.create(name="Acme Oy")
    job, location = _upload(
        sales.client, "Etunimi;Sukunimi;Organisaatio\r\nAino;Aalto;ACME OY\r\n", encoding="utf-8"
    )

    confirm(location, _mapping_post(job, **{"import": "1"}))

    assert Organisation.objects.count() == 1
    assert Membership.objects.get().organisation == existing


def test_an_overlong_work_email_is_a_row_error_not_a_failed_import(sales):
    long_email = "a" * 250 + "@example.com"
    _job, location = _upload(
        sales.client,
        f"Etunimi;Sukunimi;Työsähköposti\r\nAino;Aalto;{long_email}\r\n",
        encoding="utf-8",
    )

    preview = sales.client.get(location)

    assert preview.context["error_rows"] == 1


def test_organisations_an_import_creates_are_in_the_audit_trail(sales, confirm):
    job, location = _upload(sales.client, WEBROPOL)

    confirm(location, _mapping_post(job, **{"import": "1"}))

    organisation = Organisation.objects.get(business_id="0245872-8")
    entry = LogEntry.objects.get_for_object(organisation).get(action=LogEntry.Action.CREATE)
    assert entry.actor == sales.user and entry.actor_email == sales.user.email


def test_a_big_file_is_previewed_in_part_and_still_refused_as_a_whole(sales, confirm, monkeypatch):
    monkeypatch.setattr(import_views, "CHECKED_ON_PAGE", 2)
    text = WEBROPOL + "Rikki;Rivi;ei-osoite;;;;;\r\n"  # the bad row is past the checked part
    job, location = _upload(sales.client, text)

    preview = sales.client.get(location)
    assert (preview.context["checked"], preview.context["total"]) == (2, 3)
    assert preview.context["error_rows"] == 0

    confirm(location, _mapping_post(job, **{"import": "1"}))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not Contact.objects.exists()


def _saved_normally(obj):
    """``obj`` saved one by one as the admin saves it, and the entry auditlog writes for it."""
    obj.save()
    return LogEntry.objects.get_for_object(obj).latest("pk")


def _without(changes: dict, *names) -> dict:
    return {k: v for k, v in changes.items() if k not in names}


def test_the_people_and_roles_an_import_creates_are_in_the_audit_trail(sales, confirm):
    job, location = _upload(sales.client, WEBROPOL)

    confirm(location, _mapping_post(job, **{"import": "1"}))

    aino = Contact.objects.get(email="aino@example.com")
    entry = LogEntry.objects.get_for_object(aino).get(action=LogEntry.Action.CREATE)
    assert entry.actor == sales.user and entry.object_repr == "Aino Äijälä"
    assert entry.additional_data == {"import": job.pk, "file": "webropol.csv"}
    assert entry.changes_dict["last_name"] == ["None", "Äijälä"]
    assert entry.changes_dict["phone"] == ["None", "+358401234567"]
    assert entry.changes_dict["municipality"] == ["None", str(aino.municipality_id)]
    assert entry.changes_dict["source_detail"] == ["None", "webropol.csv"]
    # The same person saved by hand: auditlog's own entry says the same, but for the row's id,
    # its address and when it was saved.
    twin = Contact.objects.get(pk=aino.pk)
    twin.pk, twin.email = None, "twin@example.com"
    by_hand = _saved_normally(twin)
    assert by_hand.changes_dict.keys() == entry.changes_dict.keys()
    moments = ("id", "email", "created_at", "updated_at")
    assert _without(entry.changes_dict, *moments) == _without(by_hand.changes_dict, *moments)
    stored = Contact.objects.get(pk=aino.pk)
    assert entry.changes_dict["collected_at"] == [
        "None",
        stored.collected_at.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" "),
    ]

    role = Membership.objects.get(contact=aino)
    entry = LogEntry.objects.get_for_object(role).get(action=LogEntry.Action.CREATE)
    assert entry.object_repr == str(role)
    assert entry.changes_dict["organisation"] == ["None", str(role.organisation_id)]
    assert entry.changes_dict["contact"] == ["None", str(aino.pk)]
    assert entry.changes_dict["job_title"] == ["None", "Tutkija"]
    by_hand = _saved_normally(
        Membership(contact=twin, organisation=role.organisation, job_title="Tutkija")
    )
    assert _without(entry.changes_dict, "id", "contact") == _without(
        by_hand.changes_dict, "id", "contact"
    )

    organisation = role.organisation
    entry = LogEntry.objects.get_for_object(organisation).get(action=LogEntry.Action.CREATE)
    by_hand = _saved_normally(Organisation(name="Toinen", business_id="1572860-0"))
    assert _without(entry.changes_dict, *moments, "name", "business_id") == _without(
        by_hand.changes_dict, *moments, "name", "business_id"
    )


@pytest.fixture
def contact_registered(request):
    """Contact registered with auditlog as a test says, and as the app registers it after."""
    auditlog.unregister(Contact)
    auditlog.register(Contact, **request.param)
    yield
    auditlog.unregister(Contact)
    auditlog.register(Contact)


@pytest.mark.parametrize(
    "contact_registered",
    [{}, {"exclude_fields": ["phone", "memberships"]}, {"mask_fields": ["email"]}],
    indirect=True,
)
def test_new_rows_get_the_changes_auditlogs_own_diff_gives(contact_registered):
    now = timezone.now()
    shared = {
        "source": "import",
        "source_detail": "a.csv",
        "collected_at": now,
        "created_at": now,
        "updated_at": now,
    }
    changes = CreateChanges(Contact, shared=shared, per_row=["id", *CONTACT_FIELDS])
    helsinki = Municipality.objects.get(code="091")
    rows = [
        {"id": 7, "first_name": "Aino", "last_name": "Aalto", "email": "aino@example.com"},
        {"id": 8, "first_name": "None", "last_name": "Ö", "phone": "+358401234567"},
        {"id": 9, "first_name": "A", "last_name": "B", "municipality_id": helsinki.pk},
        {"id": 10, "first_name": "A", "last_name": "B", "preferred_language": "sv"},
    ]

    for row in rows:
        assert changes(row | shared) == model_instance_diff(None, Contact(**row, **shared))


def test_an_import_records_an_update_as_a_save_by_hand_would(sales, confirm):
    before = {"first_name": "Olli", "last_name": "Oja", "phone": "+358401111111"}
    existing = ContactFactory(email="olli@example.com", municipality=None, **before)
    other = ContactFactory(email="other@example.com", municipality=None, **before)

    job, location = _upload(sales.client, WEBROPOL)
    confirm(location, _mapping_post(job, **{"import": "1"}))

    existing.refresh_from_db()
    imported = LogEntry.objects.get_for_object(existing).get(action=LogEntry.Action.UPDATE)
    for name in ("first_name", "last_name", "phone", "municipality"):
        setattr(other, name, getattr(existing, name))
    by_hand = _saved_normally(other)
    assert imported.changes_dict == by_hand.changes_dict
    assert imported.changes_dict["first_name"] == ["Olli", "Öljy"]
    assert imported.changes_dict["municipality"] == ["None", str(existing.municipality_id)]


def test_importing_a_person_again_updates_their_role_instead_of_adding_one(sales, confirm):
    job, location = _upload(sales.client, WEBROPOL)
    confirm(location, _mapping_post(job, **{"import": "1"}))
    promoted = WEBROPOL.replace(";Tutkija", ";Professori").replace("040 123 4567", "0401234568")

    job, location = _upload(sales.client, promoted)
    confirm(location, _mapping_post(job, **{"import": "1"}))

    job.refresh_from_db()
    assert (job.created_count, job.updated_count) == (0, 1)
    aino = Contact.objects.get(email="aino@example.com")
    assert str(aino.phone) == "+358401234568"
    role = Membership.objects.get(contact=aino)
    assert role.job_title == "Professori"
    entry = LogEntry.objects.get_for_object(role).get(action=LogEntry.Action.UPDATE)
    assert entry.changes_dict["job_title"] == ["Tutkija", "Professori"]
    entry = LogEntry.objects.get_for_object(aino).get(action=LogEntry.Action.UPDATE)
    assert entry.changes_dict["phone"] == ["+358401234567", "+358401234568"]


def test_an_import_with_a_merged_duplicates_address_updates_the_kept_person(sales, confirm):
    keep = ContactFactory(email="aino.uusi@example.com", first_name="Aino", last_name="Vanha")
    gone = ContactFactory(email="aino@example.com")
    services.contact_merge(survivor=keep, duplicate=gone, actor=None)

    job, location = _upload(sales.client, WEBROPOL)
    confirm(location, _mapping_post(job, **{"import": "1"}))

    job.refresh_from_db()
    assert (job.created_count, job.updated_count) == (1, 1)  # Öljy is new; Aino is not
    keep.refresh_from_db()
    assert (keep.last_name, keep.email) == ("Äijälä", "aino.uusi@example.com")
    assert Membership.objects.get(contact=keep).job_title == "Tutkija"
    assert not Contact.objects.filter(email="aino@example.com").exists()


def test_two_rows_that_are_one_person_by_a_merged_address_are_refused(sales, confirm):
    keep = ContactFactory(email="olli@example.com", last_name="Ennallaan")
    gone = ContactFactory(email="aino@example.com")
    services.contact_merge(survivor=keep, duplicate=gone, actor=None)

    job, location = _upload(sales.client, WEBROPOL)
    preview = sales.client.get(location)
    refused = confirm(location, _mapping_post(job, **{"import": "1"}))

    assert preview.context["error_rows"] == 1
    assert "rivillä 2" in str(preview.context["errors"])  # the row it repeats
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED and refused.status_code == 200
    keep.refresh_from_db()
    assert keep.last_name == "Ennallaan"

    imports.import_queue(job=job, mapping=job.mapping, skip_invalid=True)  # the worker's way
    job = imports.import_run(job_id=job.pk)
    assert (job.status, job.updated_count, job.skipped_count) == ("done", 1, 1)
