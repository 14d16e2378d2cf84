"""CRM figures: the admin's lists and pages at 1,000 and 100,000 contacts, and CSV imports."""

from django.contrib.auth import get_user_model
from django.test import Client

from config.testing import sign_in_with_second_factor
from crm.imports.services import import_run, import_upload
from crm.models import Contact, ImportJob, Interaction, Membership

from .figures import at_each_size, at_least, at_most, exactly, figure, measured, stopwatch, timed

PAGE_GOAL_MS = at_most(100)
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
    someone = Contact.objects.order_by("pk")[size // 2]
    pages = {
        "admin contact list": "/admin/crm/contact/",
        "admin contact search by email": f"/admin/crm/contact/?q={someone.email}",
        "admin contact search by name": f"/admin/crm/contact/?q={someone.last_name[:4]}",
    }
    results = []
    for name, url in pages.items():
        median, queries = timed(_page(client, url))
        _queries_at.setdefault(name, {})[size] = queries
        goal = None if "by name" in name else PAGE_GOAL_MS
        results += [
            measured(f"{name} at {size:,}: median", median, "ms", goal),
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


@figure
def csv_import():
    raw = _csv(IMPORT_ROWS)
    user = get_user_model().objects.get(username="bench-admin")
    with stopwatch() as elapsed:
        job = import_upload(uploaded_by=user, file_name="bench.csv", raw=raw)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        job = import_run(job_id=job.pk)
    seconds = elapsed()
    assert job.status == ImportJob.Status.DONE, job.failure
    return [
        measured("CSV import of 100,000 rows", IMPORT_ROWS / seconds, "rows/s", at_least(5_000)),
        measured("CSV import of 100,000 rows: wall time", seconds, "s"),
        measured("CSV import of 100,000 rows: created", job.created_count, "rows"),
        measured("CSV import of 100,000 rows: updated", job.updated_count, "rows"),
    ]
