"""``field__any_of=[values]``: membership in a list given as ONE parameter (issue 15).

On PostgreSQL it compiles to ``field = ANY(%s::type[])`` with the list as one array parameter, so a sweep's chunk of
1,000 ids is one parameter instead of 1,000 placeholders (building, binding and planning a 1,000-element ``IN`` list
was a large part of each chunk). Elsewhere (SQLite) it is exactly ``__in``. Same meaning as ``__in`` for a list of
values: ``None`` is dropped (NULL equals nothing), an empty list matches nothing. A subquery falls back to ``IN``.
Registered on every field and relation by ``CoreConfig.ready``. Plain ``int`` ids for an integer column are taken as they
are (no per-value preparation)."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, IntegerField
from django.db.models.expressions import ColPairs
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


def _plain_ints(lookup) -> list[int] | None:
    """The ids without duplicates when they are plain ``int`` values for an integer column (or a relation to one):
    they are their own prepared value, so the per-value preparation (and ``RelatedIn``'s per-value normalising) is
    skipped for the thousand ids of a sweep's chunk. None otherwise."""
    rhs = lookup.rhs
    if not isinstance(rhs, (list, tuple, set, frozenset)) or isinstance(lookup.lhs, ColPairs):
        return None
    field = getattr(lookup.lhs, "output_field", None)
    target = getattr(field, "target_field", field)
    if not isinstance(target, IntegerField) or not all(type(v) is int for v in rhs):
        return None
    return list(dict.fromkeys(rhs))


class _PlainInts:
    """A list of plain ``int`` ids is taken as it is (no per-value preparation); anything else as ``In`` takes it."""

    def get_prep_lookup(self):
        ints = _plain_ints(self)
        if ints is not None:
            self.plain_ints = True
            return ints
        return super().get_prep_lookup()


class AnyOf(_PlainInts, In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value() or isinstance(self.lhs, ColPairs):
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        if getattr(self, "plain_ints", False):
            values: list = list(self.rhs)
        else:
            values = []
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


class RelatedAnyOf(_PlainInts, RelatedIn):
    """``fk__any_of=[ids or instances]``: a relation's lookups are its own (``ForeignObject`` does not inherit
    ``Field``'s), so the same lookup is registered there, with ``RelatedIn``'s normalising of instances to ids."""

    lookup_name = "any_of"
    as_postgresql = AnyOf.as_postgresql


def register() -> None:
    Field.register_lookup(AnyOf)
    ForeignObject.register_lookup(RelatedAnyOf)
