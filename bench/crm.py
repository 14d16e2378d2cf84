"""CRM figures: the admin's lists and pages at each size up to a million contacts, and CSV
imports measured against a raw COPY of the rows they write."""

import json
import time
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client

from config.testing import sign_in_with_second_factor
from crm.imports.services import import_run, import_upload
from crm.models import Contact, ImportJob, Interaction, Membership
from crm.selectors import folded_word

from .figures import at_each_size, at_least, at_most, exactly, figure, measured, stopwatch, timed

PAGE_GOAL_MS = at_most(100)
SEARCHED_PERSON = 500  # by position in the register
_queries_at: dict[str, dict[int, int]] = {}


def _staff_client() -> Client:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    User = get_user_model()
    user = User.objects.filter(username="bench-admin").first()
    if user is None:
        user = User.objects.create_superuser("bench-admin", "bench@example.com", None)
        TOTP.activate(user, generate_totp_secret())
    return sign_in_with_second_factor(Client(), user)


def _page(client: Client, url: str):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return get


@at_each_size
def contact_list(size: int):
    client = _staff_client()
    # The same person and so the same searches at every size: what grows is the register around
    # them (a person seeded first is still there at a million, and so are more of their
    # namesakes).
    someone = Contact.objects.order_by("pk")[SEARCHED_PERSON]
    pages = {
        "admin contact list": "/admin/crm/contact/",
        "admin contact search by email": f"/admin/crm/contact/?q={someone.email}",
        "admin contact search by name": f"/admin/crm/contact/?q={someone.last_name[:4]}",
        "admin contact search by name without accents": (
            f"/admin/crm/contact/?q={quote(folded_word(someone.last_name[:4]).lower())}"
        ),
        "admin contact search by email prefix": (
            f"/admin/crm/contact/?q={quote(someone.email.split('@')[0])}"
        ),
        # A third of the register shares a demo domain: the count is the costly part.
        "admin contact search by email domain": (
            f"/admin/crm/contact/?q={quote('@' + someone.email.split('@')[1])}"
        ),
    }
    results = []
    for name, url in pages.items():
        median, queries = timed(_page(client, url))
        _queries_at.setdefault(name, {})[size] = queries
        results += [
            measured(f"{name} at {size:,}: median", median, "ms", PAGE_GOAL_MS),
            measured(f"{name} at {size:,}: queries", queries, "queries"),
        ]
    return results


@figure
def query_counts_do_not_grow():
    return [
        measured(
            f"{name}: queries at {max(sizes):,} minus at {min(sizes):,}",
            sizes[max(sizes)] - sizes[min(sizes)],
            "queries",
            exactly(0),
        )
        for name, sizes in _queries_at.items()
        if len(sizes) > 1
    ]


@figure
def busy_contact_page():
    client = _staff_client()
    person = Contact.objects.order_by("pk").first()
    organisations = Membership.objects.values_list("organisation_id", flat=True).distinct()[:10]
    Membership.objects.filter(contact=person).delete()
    Membership.objects.bulk_create(
        Membership(contact=person, organisation_id=o, job_title="Asiantuntija")
        for o in organisations
    )
    Interaction.objects.bulk_create(
        Interaction(contact=person, kind="call", summary=f"Puhelu {i}") for i in range(200)
    )
    median, queries = timed(_page(client, f"/admin/crm/contact/{person.pk}/change/"), repeat=10)
    return [
        measured(
            "contact page, 200 interactions and 10 roles: queries", queries, "queries", at_most(15)
        ),
        measured("contact page, 200 interactions and 10 roles: median", median, "ms"),
    ]


IMPORT_ROWS = 100_000


def _csv(rows: int) -> bytes:
    """A Webropol-like export: UTF-8 with BOM, ';', Finnish headers; every tenth row an update."""
    existing = list(Contact.objects.order_by("pk").values_list("email", flat=True)[: rows // 10])
    lines = ["Etunimi;Sukunimi;Sähköposti;Puhelin;Kotikunta;Organisaatio;Tehtävänimike"]
    for i in range(rows):
        email = (
            existing[i // 10]
            if i % 10 == 0 and i // 10 < len(existing)
            else f"tuonti{i}@example.org"
        )
        lines.append(
            f"Etu{i};Suku{i};{email};+35840{1000000 + i};Jyväskylä;Tuonti Oy {i % 500};Asiantuntija"
        )
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


# The tables an import writes; its new rows are those above the largest id before it.
IMPORT_TABLES = ["crm_organisation", "crm_contact", "crm_membership", "auditlog_logentry"]


def _last_ids() -> dict[str, int]:
    last = {}
    with connection.cursor() as cursor:
        for table in IMPORT_TABLES:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
            last[table] = cursor.fetchone()[0]
    return last


def _without_id(columns: list[str], rows: list[list]) -> tuple[list[str], list[list]]:
    """Rows to COPY without their ids, which the table's sequence then gives."""
    assert columns[0] == "id", columns
    return columns[1:], [row[1:] for row in rows]


def _fetch(cursor, sql: str, params) -> tuple[list[str], list[list]]:
    cursor.execute(sql, params)
    columns = [column.name for column in cursor.description]
    return columns, [list(row) for row in cursor.fetchall()]


def _new_ids(cursor, table: str, count: int) -> list[int]:
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [table, count],
    )
    return [pk for (pk,) in cursor.fetchall()]


def _raw_copy_seconds(before: dict[str, int], started) -> tuple[float, dict[str, int]]:
    """Seconds PostgreSQL takes to COPY the rows an import wrote, once more, into the same tables.

    The rows (the organisations, people and roles the import created or changed, and its audit
    entries) are read back and held as plain tuples before the clock starts; they go in with
    new ids (people with a changed address, which must be unique) and every constraint checked
    as each row arrives, in a transaction that is then rolled back. This is the floor an
    import's own writing cannot go below; the import does everything else as well (reading
    and checking the file, matching people, updating rows, building audit entries).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        organisations = _fetch(
            cursor, "SELECT * FROM crm_organisation WHERE id > %s", [before["crm_organisation"]]
        )
        contacts = _fetch(
            cursor,
            "SELECT * FROM crm_contact WHERE id > %s OR updated_at >= %s",
            [before["crm_contact"], started],
        )
        roles = _fetch(
            cursor, "SELECT * FROM crm_membership WHERE id > %s", [before["crm_membership"]]
        )
        entries = _fetch(
            cursor, "SELECT * FROM auditlog_logentry WHERE id > %s", [before["auditlog_logentry"]]
        )
        new_id = {}
        for table, (columns, rows) in [
            ("crm_organisation", organisations),
            ("crm_contact", contacts),
        ]:
            at = columns.index("id")
            new_id[table] = dict(
                zip((r[at] for r in rows), _new_ids(cursor, table, len(rows)), strict=True)
            )
            for row in rows:
                row[at] = new_id[table][row[at]]
        email = contacts[0].index("email")
        for row in contacts[1]:
            row[email] = f"raw.{row[email]}" if row[email] else ""
        columns, rows = roles
        contact, organisation = columns.index("contact_id"), columns.index("organisation_id")
        for row in rows:
            row[contact] = new_id["crm_contact"].get(row[contact], row[contact])
            row[organisation] = new_id["crm_organisation"].get(row[organisation], row[organisation])
        roles = _without_id(columns, rows)
        columns, rows = entries
        # JSON as the text PostgreSQL reads, so that the clock measures only the COPY.
        rows = [[json.dumps(v) if isinstance(v, dict | list) else v for v in r] for r in rows]
        entries = _without_id(columns, rows)
        plan = [
            ("crm_organisation", organisations),
            ("crm_contact", contacts),
            ("crm_membership", roles),
            ("auditlog_logentry", entries),
        ]
        # An import's foreign keys are checked when it commits, inside its time; here, as rows
        # arrive (the transaction never commits).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        start = time.perf_counter()
        for table, (columns, rows) in plan:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds, {table: len(rows) for table, (_columns, rows) in plan}


@figure
def csv_import():
    raw = _csv(IMPORT_ROWS)
    user = get_user_model().objects.get(username="bench-admin")
    before = _last_ids()
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        started = cursor.fetchone()[0]
    with stopwatch() as elapsed:
        job = import_upload(uploaded_by=user, file_name="bench.csv", raw=raw)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        job = import_run(job_id=job.pk)
    seconds = elapsed()
    assert job.status == ImportJob.Status.DONE, job.failure
    copy_seconds, copied = _raw_copy_seconds(before, started)
    return [
        measured("CSV import of 100,000 rows", IMPORT_ROWS / seconds, "rows/s", at_least(5_000)),
        measured("CSV import of 100,000 rows: wall time", seconds, "s"),
        measured("CSV import of 100,000 rows: created", job.created_count, "rows"),
        measured("CSV import of 100,000 rows: updated", job.updated_count, "rows"),
        measured(
            "CSV import of 100,000 rows: ratio to a raw COPY of the same rows",
            copy_seconds / seconds,
            "ratio",
            at_least(0.3),
        ),
        measured(
            "CSV import of 100,000 rows: raw COPY of the same rows, wall time", copy_seconds, "s"
        ),
        measured(
            "CSV import of 100,000 rows: raw COPY of the same rows, rows written",
            sum(copied.values()),
            "rows",
        ),
    ]
