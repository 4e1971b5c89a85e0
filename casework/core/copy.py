"""``copy_rows``: plain value rows into a model's table by one PostgreSQL ``COPY`` (issue 15: the audit events and
chain links of the set-based sweeps and the bulk import's rows, with no model instance per row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def copy_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """``rows`` (values in ``names`` order; psycopg adapts each as an insert would) into the named fields of the
    model's table, in row order (ids from the table's sequence, as with an insert). PostgreSQL only; database errors
    are Django's, as for any query."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in names)
    with connection.wrap_database_errors, connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)
