"""Protected state machines (issue 10): every life-cycle ``status`` changes only through a named transition.

A life-cycle field is a ``django_fsm.FSMField(protected=True)``: assigning it on a loaded row raises
``AttributeError`` (construction with ``Model(status=...)`` / ``objects.create(status=...)`` is not assignment and
stays allowed, so factories and imports can create a row in a given state). Each change is one method decorated
with :func:`transition` below, named for the business act (``finalise``, ``approve``, ``cancel``...), with its
sources, its target, the step IDs of the rule and the services that call it.

Guards: the policy decision is evaluated in the service (which raises the officer-facing refusal with its step IDs)
before calling the transition; the transition re-checks its source state (and any cheap ``conditions``). A
transition that is not allowed from the current state raises :class:`casework.core.errors.TransitionRefused`
(409, officer's words, step IDs), never django-fsm's ``TransitionNotAllowed`` (which would be a 500).

Models with a protected field mix in :class:`ProtectedStateModel` (django-fsm's ``FSMModelMixin``) so that
``refresh_from_db()`` and deferred loading keep working.

``transition_rows()`` introspects every protected field of every installed ``casework`` model; the transition
tables in docs/architecture.md are generated from it (``manage.py fsm_table``) and a test keeps them in sync.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import django_fsm
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from .errors import TransitionRefused



class FSMBooleanField(django_fsm.FSMFieldMixin, models.BooleanField):
    """A two-state life cycle kept in a boolean column (``Lock.is_active``: active / ended), protected like an
    ``FSMField``: queries and database constraints keep reading the boolean, but the value changes only through a
    :func:`transition` (``source=[True], target=False``). Give it ``choices`` so the states have labels."""


class ProtectedStateModel(django_fsm.FSMModelMixin):
    """Mixin for models with a protected state: ``refresh_from_db()`` works (django-fsm's ``FSMModelMixin``) and so
    does ``full_clean()``, whose ``clean_fields`` would otherwise re-assign the (unchanged) state and raise."""

    def clean_fields(self, exclude=None):
        protected = self._get_protected_fsm_fields()
        exclude = set(exclude or ())
        errors: dict[str, list] = {}
        try:
            super().clean_fields(exclude=exclude | protected)
        except ValidationError as exc:
            errors.update(exc.error_dict)
        for name in sorted(protected - exclude):
            field = self._meta.get_field(name)
            raw = getattr(self, field.attname)
            if field.blank and raw in field.empty_values:
                continue
            try:
                field.clean(raw, self)  # validated, never re-assigned
            except ValidationError as exc:
                errors[field.name] = exc.error_list
        if errors:
            raise ValidationError(errors)


def transition(
    *,
    source: Any | Sequence[Any],
    target: Any,
    step_ids: Iterable[str] | Callable[[Any], Iterable[str]],
    callers: Iterable[str] = (),
    conditions: Iterable[Callable[[Any], bool]] = (),
    field: str = "status",
    act: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A django-fsm transition on ``field`` that refuses in the officer's words (``TransitionRefused`` with
    ``step_ids``) instead of raising ``TransitionNotAllowed``.

    ``callers`` names the service functions (``"<app>.services.<function>"``) that fire it: the generated transition
    table shows them and a test checks each one really calls the transition. ``act`` is the verb used in the refusal
    (defaults to the method name with underscores as spaces). ``step_ids`` may be a function of the row when the
    rule depends on it (an intray's steps are its type's); its docstring then stands for it in the table."""
    steps = step_ids if callable(step_ids) else tuple(step_ids)
    custom = {"step_ids": steps, "callers": tuple(callers)}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        fsm_method = django_fsm.transition(
            field=field, source=source, target=target, conditions=list(conditions), custom=custom
        )(func)
        verb = act or func.__name__.replace("_", " ")

        @functools.wraps(fsm_method)
        def fire(instance, *args: Any, **kwargs: Any) -> Any:
            try:
                return fsm_method(instance, *args, **kwargs)
            except django_fsm.TransitionNotAllowed as exc:
                refused_steps = tuple(steps(instance)) if callable(steps) else steps
                raise TransitionRefused(_refusal(instance, field, verb, source), step_ids=refused_steps) from exc

        return fire

    return decorate


def _refusal(instance: Any, field: str, verb: str, source: Any) -> str:
    name = instance._meta.verbose_name
    current = getattr(instance, f"get_{field}_display")()
    if source in ("*", "+"):
        return f"This {name} cannot be {verb} now."
    sources = [source] if isinstance(source, str) else list(source)
    labels = dict(instance._meta.get_field(field).flatchoices)
    allowed = " or ".join(str(labels.get(s, s)).lower() for s in sources)
    return f"You cannot {verb} this {name}: it is {str(current).lower()} (only possible while {allowed})."


# ---------------------------------------------------------------- introspection (tests, docs)


def protected_field_names(model: type) -> list[str]:
    """The protected FSM fields of one model (the admin shows them read-only)."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, django_fsm.FSMFieldMixin) and f.protected]


def protected_state_fields() -> list[tuple[type, django_fsm.FSMFieldMixin]]:
    """Every protected FSM field on a concrete model of a ``casework`` app, in a stable order."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("casework."):
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, django_fsm.FSMFieldMixin) and f.protected:
                found.append((model, f))
    return sorted(found, key=lambda mf: (mf[0]._meta.label, mf[1].name))


@dataclass(frozen=True)
class TransitionRow:
    model: str
    field: str
    name: str
    sources: tuple[str, ...]
    target: str
    step_ids: tuple[str, ...] | str
    callers: tuple[str, ...]


def transition_rows(model: type, field: django_fsm.FSMFieldMixin) -> list[TransitionRow]:
    by_name: dict[str, dict[str, Any]] = {}
    for t in field.get_all_transitions(model):
        row = by_name.setdefault(t.name, {"sources": [], "target": t.target, "custom": t.custom})
        row["sources"].append(t.source)
    order = [s for s, _ in field.flatchoices]
    rows = []
    for name, row in by_name.items():
        rows.append(TransitionRow(
            model=model._meta.label,
            field=field.name,
            name=name,
            sources=tuple(sorted(row["sources"], key=lambda s: order.index(s) if s in order else -1)),
            target=row["target"],
            step_ids=_steps_label(row["custom"].get("step_ids", ())),
            callers=tuple(row["custom"].get("callers", ())),
        ))
    return sorted(rows, key=lambda r: (order.index(r.target) if r.target in order else -1, r.name))


def _steps_label(steps: Any) -> tuple[str, ...] | str:
    if callable(steps):
        return " ".join((steps.__doc__ or steps.__name__).split())
    return tuple(steps)


def transition_tables_markdown() -> str:
    """The transition tables of docs/architecture.md (between the ``fsm-tables`` markers)."""
    out = []
    for model, field in protected_state_fields():
        labels = dict(field.flatchoices)

        def state(value: Any) -> str:  # a boolean state (FSMBooleanField) shows its label too
            return str(value) if isinstance(value, str) else f"{value} ({str(labels.get(value, value)).lower()})"

        states = ", ".join(f"`{state(value)}`" for value, _ in field.flatchoices)
        default = field.get_default()
        created = f"created as `{state(default)}`" if default not in (None, "") else "set when the row is created"
        out.append(f"**{model._meta.label}.{field.name}** — states {states}; {created}")
        out.append("")
        rows = transition_rows(model, field)
        if not rows:
            out.append("No transition: set when recorded and never changed in this system.")
            out.append("")
            continue
        out.append("| transition | from → to | called by | step IDs |")
        out.append("|---|---|---|---|")
        for r in rows:
            callers = ", ".join(f"`{c}`" for c in r.callers) or "— (no service yet)"
            out.append(
                f"| `{r.name}` | {', '.join(state(x) for x in r.sources)} → {state(r.target)} | {callers} | {r.step_ids if isinstance(r.step_ids, str) else ', '.join(r.step_ids)} |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- the bulk transition (issue 15)


def bulk_transition(rows: Sequence[models.Model], method: Callable[..., Any], *, fields: Iterable[str] = ()) -> int:
    """The one way a set-based job changes a protected state of many rows: ``method`` (a :func:`transition`, e.g.
    ``Lock.end``) is fired on every (locked, loaded) row in memory, so each row passes the same source-state check
    and ``conditions`` as one row alone (a row in another state raises ``TransitionRefused`` and nothing is
    written); the caller has already applied the policy decision to each row, exactly as the one-row service does.
    Then the state and ``fields`` (set on the rows by the caller, per row) are written by ``bulk_write``, guarded by
    the state each row was loaded in: a row whose stored state is no longer that one (changed by another path since
    it was read) is not written, and ``TransitionRefused`` rolls the caller's transaction back (a sweep then does
    its chunk again one row at a time). Returns how many rows changed. The set-based services that call it are
    listed as callers of the transition."""
    rows = list(rows)
    if not rows:
        return 0
    name = method.__name__
    state_fields = [f for f in rows[0]._meta.concrete_fields
                    if isinstance(f, django_fsm.FSMFieldMixin) and f.protected]
    loaded = {f.name: [getattr(row, f.attname) for row in rows] for f in state_fields}
    for row in rows:
        getattr(row, name)()
    written = bulk_write(rows, [*(f.name for f in state_fields), *fields], expect=loaded)
    if written != len(rows):
        model = rows[0]._meta.verbose_name_plural
        raise TransitionRefused(f"{len(rows) - written} of these {model} changed state since they were read; "
                                f"nothing was written.")
    return len(rows)


def bulk_write(rows: Sequence[models.Model], fields: Iterable[str], *, batch: int = 1000,
               expect: Mapping[str, Sequence[Any]] | None = None) -> int:
    """Write ``fields`` of many loaded rows, each with its own values; returns how many rows were written.

    ``expect``: per field name, the value each row (in ``rows`` order) must still have in the database to be written
    (the protected-transition guard of ``bulk_transition``: a row whose state changed meanwhile is left as it is).
    On PostgreSQL one ``UPDATE ... FROM UNNEST(%s::type[], ...)`` per ``batch`` rows: one array parameter per column
    (the values typed by each field's own ``get_db_prep_save``), not one parameter per row and column (a chunk of
    1,000 locks ending was 7,000 parameters for psycopg to interpolate and PostgreSQL to parse, issue 15); elsewhere
    Django's ``bulk_update`` (``CASE WHEN`` per row and field) filtered by the expected values."""
    from django.db import connection

    rows = list(rows)
    if not rows:
        return 0
    model = type(rows[0])
    names = list(fields)
    expect = dict(expect or {})
    if connection.vendor != "postgresql":
        groups: dict[tuple, list[models.Model]] = {}
        for i, row in enumerate(rows):
            groups.setdefault(tuple(values[i] for values in expect.values()), []).append(row)
        manager = model._default_manager
        return sum(manager.filter(**dict(zip(expect, key))).bulk_update(part, names, batch_size=500)
                   for key, part in groups.items())
    qn = connection.ops.quote_name
    pk = model._meta.pk
    cols = [pk, *(model._meta.get_field(n) for n in names)]
    guards = [model._meta.get_field(n) for n in expect]
    table = qn(model._meta.db_table)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [*cols, *guards])
    alias = ", ".join([*(qn(f.column) for f in cols), *(qn(f"was_{f.column}") for f in guards)])
    assign = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in cols[1:])
    where = " AND ".join([f"{table}.{qn(pk.column)} = v.{qn(pk.column)}",
                          *(f"{table}.{qn(f.column)} IS NOT DISTINCT FROM v.{qn('was_' + f.column)}" for f in guards)])
    sql = f"UPDATE {table} SET {assign} FROM UNNEST({arrays}) AS v({alias}) WHERE {where}"
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            part = rows[start:start + batch]
            params: list[list[Any]] = [[f.get_db_prep_save(getattr(row, f.attname), connection=connection)
                                        for row in part] for f in cols]
            params += [[f.get_db_prep_save(v, connection=connection) for v in expect[f.name][start:start + batch]]
                       for f in guards]
            cursor.execute(sql, params)
            written += cursor.rowcount
    return written
