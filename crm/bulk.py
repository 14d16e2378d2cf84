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
        # and validating each again (the costliest part of preparing a contact).
        return lambda value: value.as_e164 if value else ""
    if isinstance(field, models.JSONField):
        from psycopg.types.json import Jsonb

        return lambda value: None if value is None else Jsonb(value)
    return lambda value: field.get_db_prep_save(value, connection)


def insert(model: type[models.Model], objs: list[models.Model], *, ids: bool = False) -> None:
    """Insert ``objs``; with ``ids=True`` each gets its primary key first (to refer to it)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create(objs, batch_size=2_000)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
        fields = [f for f in meta.concrete_fields if ids or not f.primary_key]
        now = timezone.now()
        converters = [_converter(f, now) for f in fields]
        attnames = [f.attname for f in fields]
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [
                        value if convert is None else convert(value)
                        for value, convert in zip(
                            (getattr(obj, a) for a in attnames), converters, strict=True
                        )
                    ]
                )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_dicts(model: type[models.Model], rows: list[dict]) -> None:
    """Insert rows given as {attname: value}; unnamed fields take their defaults.

    For rows nobody needs as model instances (audit entries): building a model instance costs
    more than streaming the row. The primary key comes from the table.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create([model(**row) for row in rows], batch_size=2_000)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    now = timezone.now()
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in rows[0]}
    converters = [_converter(f, now) for f in fields]
    attnames = [f.attname for f in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = (row[a] if a in row else defaults[a] for a in attnames)
            copy.write_row(
                [
                    value if convert is None else convert(value)
                    for value, convert in zip(values, converters, strict=True)
                ]
            )
