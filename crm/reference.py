"""Reference data shipped in crm/data/ and kept in step with the database."""

import csv
from pathlib import Path

from django.db import transaction

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_municipalities() -> list[dict[str, str]]:
    with (DATA_DIR / "municipalities.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@transaction.atomic
def sync_municipalities() -> None:
    """Make the Municipality table match crm/data/municipalities.csv.

    A municipality that has merged away stays in the table (old contacts may point at it) but is
    marked inactive, so forms no longer offer it. Running it again changes nothing.
    """
    from .models import Municipality

    rows = {r["code"]: r for r in read_municipalities()}
    existing = {m.code: m for m in Municipality.objects.all()}
    new, changed = [], []
    for code, row in rows.items():
        m = existing.get(code)
        if m is None:
            new.append(Municipality(code=code, name_fi=row["name_fi"], name_sv=row["name_sv"]))
        elif (m.name_fi, m.name_sv, m.active) != (row["name_fi"], row["name_sv"], True):
            m.name_fi, m.name_sv, m.active = row["name_fi"], row["name_sv"], True
            changed.append(m)
    Municipality.objects.bulk_create(new)
    Municipality.objects.bulk_update(changed, ["name_fi", "name_sv", "active"])
    Municipality.objects.exclude(code__in=rows).filter(active=True).update(active=False)


def read_industries() -> list[dict[str, str]]:
    with (DATA_DIR / "tol2008.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@transaction.atomic
def sync_industries() -> None:
    """Make the Industry table match crm/data/tol2008.csv (sections first, then divisions)."""
    from .models import Industry

    rows = read_industries()
    by_code = {i.code: i for i in Industry.objects.all()}
    for row in sorted(rows, key=lambda r: r["level"] != "section"):
        values = {
            "level": row["level"],
            "parent": by_code.get(row["parent"]) if row["parent"] else None,
            "name_fi": row["name_fi"],
            "name_sv": row["name_sv"],
            "name_en": row["name_en"],
        }
        industry = by_code.get(row["code"])
        if industry is None:
            by_code[row["code"]] = Industry.objects.create(code=row["code"], **values)
        elif any(getattr(industry, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(industry, k, v)
            industry.save()


def sync_reference_data_after_migrate(sender, using="default", **kwargs):
    from .models import Industry, Municipality

    # Not after a migrate that rolled crm back: then the tables are gone.
    if _table_exists(using, Municipality._meta.db_table):
        sync_municipalities()
    if _table_exists(using, Industry._meta.db_table):
        sync_industries()


def _table_exists(using: str, table: str) -> bool:
    from django.db import connections

    with connections[using].cursor() as cursor:
        return table in connections[using].introspection.table_names(cursor)
