"""Fast inserts of many rows, for imports.

On PostgreSQL rows are streamed with COPY (ids taken from the table's own sequence beforehand,
so callers can refer to the new rows); elsewhere (SQLite on a laptop) Django's bulk_create does
the same job more slowly. Like bulk_create, it sends no signals, runs no save() and no
validation: callers pass validated rows (an import validates every row first) and write their
audit entries themselves.
"""

from __future__ import annotations

from django.db import connection, models
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField
from psycopg.types.json import Jsonb

# Fields whose Python value PostgreSQL takes as it is (psycopg adapts str, int, bool, dates).
_PLAIN = {
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DateTimeField,
    models.EmailField,
    models.ForeignKey,
    models.GenericIPAddressField,
    models.IntegerField,
    models.OneToOneField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.TextField,
}


def _converter(field: models.Field, now):
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        return lambda value: value or now
    if type(field) in _PLAIN:
        return None
    if isinstance(field, PhoneNumberField):
        # Validated numbers: stored as the field stores a valid one, in E.164, without parsing
        # and validating each again (the costliest part of preparing a contact). Imports pass
        # the E.164 text itself.
        return lambda value: (value or "") if isinstance(value, str | None) else value.as_e164
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else Jsonb(value)
    return lambda value: field.get_db_prep_save(value, connection)


def _next_ids(cursor, meta, count: int) -> list[int]:
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [meta.db_table, meta.pk.column, count],
    )
    return [pk for (pk,) in cursor.fetchall()]


def _copy(cursor, meta, fields, value_rows) -> None:
    """COPY rows (each an iterable of the fields' Python values, in order) into the table."""
    quote = connection.ops.quote_name
    now = timezone.now()
    converters = [_converter(f, now) for f in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
        for values in value_rows:
            copy.write_row(
                [
                    value if convert is None else convert(value)
                    for value, convert in zip(values, converters, strict=True)
                ]
            )


def insert(model: type[models.Model], objs: list[models.Model], *, ids: bool = False) -> None:
    """Insert ``objs``; with ``ids=True`` each gets its primary key first (to refer to it)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create(objs, batch_size=2_000)
        return
    meta = model._meta
    with connection.cursor() as cursor:
        if ids:
            for obj, pk in zip(objs, _next_ids(cursor, meta, len(objs)), strict=True):
                obj.pk = pk
        fields = [f for f in meta.concrete_fields if ids or not f.primary_key]
        attnames = [f.attname for f in fields]
        _copy(cursor, meta, fields, ([getattr(obj, a) for a in attnames] for obj in objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_dicts(model: type[models.Model], rows: list[dict], *, ids: bool = False) -> None:
    """Insert rows given as {attname: value}; unnamed fields take their defaults.

    For rows nobody needs as model instances (audit entries, an import's new people): building
    a model instance costs more than streaming the row. With ``ids=True`` each row gets its
    primary key (``row["id"]``) first, to refer to it; otherwise the table gives it.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model._base_manager.bulk_create(objs, batch_size=2_000)
        if ids:
            for row, obj in zip(rows, objs, strict=True):
                row[model._meta.pk.attname] = obj.pk
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if ids or not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        if ids:
            for row, pk in zip(rows, _next_ids(cursor, meta, len(rows)), strict=True):
                row[meta.pk.attname] = pk
        _copy(
            cursor,
            meta,
            fields,
            ([row[a] if a in row else defaults[a] for a in attnames] for row in rows),
        )


def _array_type(field: models.Field) -> str:
    """The column's type without its length: casting to varchar(n) would cut an over-long
    value silently, where assigning text to the column refuses it, as an INSERT would."""
    db_type = field.db_type(connection)
    return "text" if db_type.startswith("varchar") else db_type


def update(model: type[models.Model], objs: list[models.Model], fields: list[str]) -> None:
    """Write ``fields`` of ``objs``, rows already in the table, in one statement.

    Django's bulk_update builds a CASE expression per field and row, which costs more Python
    time than the import's whole write of a new row; on PostgreSQL the values go instead as
    one array per column, joined to the table by primary key with unnest().
    """
    if not objs:
        return
    if len({obj.pk for obj in objs}) != len(objs):
        # PostgreSQL would apply one of the two rows' values, whichever it met first.
        raise ValueError("bulk.update() was given the same row twice")
    if connection.vendor != "postgresql":
        model._base_manager.bulk_update(objs, fields, batch_size=500)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    now = timezone.now()
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    arrays = []
    for field in columns:
        convert = _converter(field, now)
        values = [getattr(obj, field.attname) for obj in objs]
        arrays.append(values if convert is None else [convert(v) for v in values])
    names = [quote(field.column) for field in columns]
    casts = ", ".join(f"%s::{_array_type(field)}[]" for field in columns)
    sets = ", ".join(f"{name} = v.{name}" for name in names[1:])
    # Names and types come from the model, quoted; every value travels as a parameter.
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {sets} "  # noqa: S608
        f"FROM unnest({casts}) AS v({', '.join(names)}) WHERE t.{names[0]} = v.{names[0]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
