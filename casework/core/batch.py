"""Many querysets read in one statement (issue 15).

A page that reads twenty small tables pays twenty round trips and twenty compiled statements. ``fetch`` and
``evaluate`` run any number of querysets as **one** SQL statement, on both databases:

* PostgreSQL: ``WITH q0(c0, c1, ...) AS (<queryset 0>), q1(...) AS (...) SELECT (SELECT COALESCE(json_agg(
  json_build_array(json_build_array(c0, c1, ...))), '[]') FROM q0)::text, ...``: each queryset a CTE, aggregated
  into one JSON array of its rows, each row an array (of arrays of at most 100 columns: the function-argument
  limit), so Python takes each row as a list and converts only the columns that need it.
* SQLite: the same CTEs, each aggregated with ``json_group_array(json_array(json_array(c0, c1, ...)))``.

One row comes back with one JSON text per queryset. Its values are turned back into what the database driver would
have returned for each column (PostgreSQL: dates, aware datetimes, ``Decimal`` from the JSON's exact digits, UUIDs,
JSON text; SQLite already stores dates as text and decimals as numbers, so its JSON values *are* what the driver
returns), and then go through the compiler's own converters, so the rows are exactly what the ORM gives:
``fetch(qs)`` equals ``list(qs.values())`` (``core/tests/test_batch.py`` compares both on both databases) and
``evaluate(qs)`` gives the model instances of ``list(qs)``, ``select_related`` included. ``prefetch_related`` is not
run (there is nothing left to query with): read the related rows as another queryset of the same batch, filtered
through the parent's conditions, and attach them with ``attach``.

The order of each queryset's rows is the order of its ``ORDER BY``: both databases aggregate a CTE's rows in the
order it produces them (a single scan of the CTE, no join or grouping around it).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable

_ARG_GROUP = 100  # SQLite's json_array takes at most SQLITE_MAX_FUNCTION_ARG (127 by default) arguments


class _Prepared:
    def __init__(self, qs: QuerySet):
        self.qs = qs._chain()
        self.compiler = self.qs.query.get_compiler(using=self.qs.db)
        try:
            self.sql, self.params = self.compiler.as_sql()
        except EmptyResultSet:
            self.sql, self.params = None, ()
        self.rows: list[list[Any]] = []

    def install(self) -> QuerySet:
        """The queryset answering from the rows read (the ORM's iterables, converters and select_related)."""
        compiler, rows = self.compiler, self.rows

        def execute_sql(*args, **kwargs):
            return iter([rows]) if rows else iter(())

        compiler.execute_sql = execute_sql
        self.qs.query.get_compiler = lambda *args, **kwargs: compiler
        self.qs._prefetch_done = True  # nothing more is read: related rows come from the same batch (attach)
        return self.qs


def _column_count(prepared: _Prepared) -> int:
    """Columns of the statement: the compiler's select, and the ORDER BY terms a DISTINCT query adds after it."""
    compiler = prepared.compiler
    extra = compiler.get_extra_select(compiler.get_order_by(), compiler.select) if compiler.has_extra_select else []
    return len(compiler.select) + len(extra)


def _decimal(value):
    return value if isinstance(value, decimal.Decimal) else decimal.Decimal(value)


def _json_text(value):
    # The driver hands JSON columns over as text, which the field's from_db_value loads: give it text back. The
    # numbers inside were parsed as Decimal (exact); float(Decimal(text)) is float(text), what loading gives.
    return json.dumps(value, default=float)


_PG_FROM_JSON = {
    "DateTimeField": dt.datetime.fromisoformat,
    "DateField": dt.date.fromisoformat,
    "TimeField": dt.time.fromisoformat,
    "DecimalField": _decimal,
    "FloatField": float,
    "UUIDField": uuid.UUID,
    "JSONField": _json_text,
}


def _pg_converter(field):
    """What turns a column's JSON value back into what psycopg returns for it (None: the JSON value is it)."""
    if field is None:
        return None
    kind = field.get_internal_type()
    if kind in ("DurationField", "BinaryField"):
        raise NotImplementedError(f"core.batch: {kind} is not read through a batch")
    return _PG_FROM_JSON.get(kind)


def _pg_rows(text: str | None, fields: list, n: int) -> list[list[Any]]:
    converted = [(j, c) for j in range(n) if (c := _pg_converter(fields[j])) is not None]
    rows = []
    for groups in json.loads(text or "[]", parse_float=decimal.Decimal):
        row = groups[0] if len(groups) == 1 else [v for g in groups for v in g]
        del row[n:]
        for j, convert in converted:  # only the columns whose JSON value is not what the driver gives
            value = row[j]
            if value is not None:
                row[j] = convert(value)
        rows.append(row)
    return rows


def _run(prepared: Sequence[_Prepared]) -> None:
    todo = [p for p in prepared if p.sql is not None]
    if not todo:
        return
    by_db: dict[str, list[_Prepared]] = {}
    for p in todo:
        by_db.setdefault(p.qs.db, []).append(p)
    for alias, group in by_db.items():
        connection = connections[alias]
        postgres = connection.vendor == "postgresql"
        ctes, selects, params = [], [], []
        for i, p in enumerate(group):
            n = _column_count(p)
            names = [f"c{j}" for j in range(n)]
            ctes.append(f"q{i}({', '.join(names)}) AS ({p.sql})")
            params.extend(p.params)
            groups = [names[k:k + _ARG_GROUP] for k in range(0, n, _ARG_GROUP)]
            if postgres:
                row = ", ".join(f"json_build_array({', '.join(g)})" for g in groups)
                selects.append(f"(SELECT COALESCE(json_agg(json_build_array({row})), '[]') FROM q{i})::text")
            else:
                row = ", ".join(f"json_array({', '.join(g)})" for g in groups)
                selects.append(f"(SELECT json_group_array(json_array({row})) FROM q{i})")
        sql = f"WITH {', '.join(ctes)} SELECT {', '.join(selects)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            answer = cursor.fetchone()
        for p, text in zip(group, answer):
            n = p.compiler.col_count  # the ORDER BY terms after it are not part of the rows
            if postgres:  # noqa: SIM108
                fields = [getattr(col, "output_field", None) for col, _sql, _alias in p.compiler.select]
                p.rows = _pg_rows(text, fields, n)
            else:
                p.rows = [[v for g in row for v in g][:n] for row in json.loads(text or "[]")]


def _named(querysets: tuple, named: Mapping[str, QuerySet] | None) -> tuple[list[QuerySet], list[str] | None]:
    if named is not None:
        if querysets:
            raise TypeError("core.batch: pass querysets or a mapping, not both")
        return list(named.values()), list(named)
    return list(querysets), None


def evaluate(*querysets: QuerySet, named: Mapping[str, QuerySet] | None = None):
    """The results of the querysets, read in one statement: for each, what ``list(qs)`` gives (model instances with
    their ``select_related``, or a ``values()``/``values_list()`` queryset's rows). A tuple of lists in order, or a
    dict name -> list with ``named=``. The querysets themselves are not evaluated (their clones are)."""
    qss, names = _named(querysets, named)
    prepared = [_Prepared(qs) for qs in qss]
    _run(prepared)
    results = [list(p.install()) for p in prepared]
    return dict(zip(names, results)) if names is not None else tuple(results)


def fetch(*querysets: QuerySet, named: Mapping[str, QuerySet] | None = None):
    """Plain rows, one statement: for each queryset the dicts ``list(qs.values())`` gives (a ``values()`` queryset
    keeps its fields and annotations). A tuple of lists in order, or a dict name -> list with ``named=``."""
    qss, names = _named(querysets, named)
    as_values = [qs if qs._iterable_class is not ModelIterable else qs.values() for qs in qss]
    results = list(evaluate(*as_values))
    return dict(zip(names, results)) if names is not None else tuple(results)


def attach(parents: Iterable, children: Iterable, *, fk: str, cache_name: str, reverse: str | None = None) -> None:
    """Set ``parent.<cache_name>.all()`` to the children whose ``<fk>_id`` is the parent's id (in the children's
    order), as ``prefetch_related`` would; ``reverse``: also set each child's ``<reverse>`` to its parent."""
    parents = list(parents)
    by_parent: dict[Any, list] = {p.pk: [] for p in parents}
    for child in children:
        key = getattr(child, f"{fk}_id")
        if key in by_parent:
            by_parent[key].append(child)
    for parent in parents:
        rows = by_parent[parent.pk]
        if reverse:
            for child in rows:
                child._state.fields_cache[reverse] = parent
        qs = getattr(parent, cache_name).all()  # the related manager's queryset, not evaluated
        qs._result_cache = rows
        qs._prefetch_done = True
        if not hasattr(parent, "_prefetched_objects_cache"):
            parent._prefetched_objects_cache = {}
        parent._prefetched_objects_cache[cache_name] = qs
