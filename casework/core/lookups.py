"""``field__any_of=[values]``: membership in a list given as ONE parameter (issue 15).

On PostgreSQL it compiles to ``field = ANY(%s::type[])`` with the list as one array parameter, so a sweep's chunk of
1,000 ids is one parameter instead of 1,000 placeholders (building, binding and planning a 1,000-element ``IN`` list
was a large part of each chunk). Elsewhere (SQLite) it is exactly ``__in``. Same meaning as ``__in`` for a list of
values: ``None`` is dropped (NULL equals nothing), an empty list matches nothing. A subquery falls back to ``IN``.
Registered on every field by ``CoreConfig.ready``."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject
from django.db.models.expressions import ColPairs
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value() or isinstance(self.lhs, ColPairs):
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values: list = []
        seen: set = set()
        for value in self.rhs:
            if value is None or value in seen:
                continue
            seen.add(value)
            values.append(field.get_db_prep_value(value, connection, prepared=True))
        if not values:
            raise EmptyResultSet
        db_type = field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{db_type}[])", [*lhs_params, values]


class RelatedAnyOf(RelatedIn):
    """``fk__any_of=[ids or instances]``: a relation's lookups are its own (``ForeignObject`` does not inherit
    ``Field``'s), so the same lookup is registered there, with ``RelatedIn``'s normalising of instances to ids."""

    lookup_name = "any_of"
    as_postgresql = AnyOf.as_postgresql


def register() -> None:
    Field.register_lookup(AnyOf)
    ForeignObject.register_lookup(RelatedAnyOf)
