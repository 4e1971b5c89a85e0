"""Issue 10, protected transitions: every life-cycle status changes only through its transition.

The parametrised lists below are computed by introspection of the installed models, so a new status field that is
not a protected FSM field, a transition without step IDs or caller, or a drifted transition table fails here.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import django_fsm
import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

from casework.core.errors import TransitionRefused
from casework.core.fsm import protected_field_names, protected_state_fields, transition_rows, transition_tables_markdown

ROOT = Path(__file__).resolve().parents[3]
CASEWORK = ROOT / "casework"

# Fields named like a state that are NOT a life cycle, so they are plain CharFields on purpose.
NOT_LIFE_CYCLE = {
    ("org.Office", "state"),  # the Australian state or territory of the office (picks the holiday calendar)
    ("intrays.OfficeClosure", "state"),  # the Australian state a closure applies to
    ("ps.PlanIssueEvent", "from_status"),  # append-only history of PlanIssue transitions (PS-PSP-4)
    ("ps.PlanIssueEvent", "to_status"),  # idem
    ("customers.ArrangementStatusChange", "from_status"),  # append-only history of PaymentArrangement transitions
    ("customers.ArrangementStatusChange", "to_status"),  # idem
}


def _state_like_fields() -> list[tuple[str, str, models.Field]]:
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("casework."):
            continue
        for f in model._meta.concrete_fields:
            named = f.name in ("status", "state") or f.name.endswith(("_status", "_state"))
            if isinstance(f, models.CharField) and named:
                found.append((model._meta.label, f.name, f))
    return sorted(found, key=lambda t: (t[0], t[1]))


STATE_LIKE = _state_like_fields()
PROTECTED = protected_state_fields()
PROTECTED_IDS = [f"{m._meta.label}.{f.name}" for m, f in PROTECTED]


def _unsaved(model, field, state):
    """A row built in ``state`` by its constructor (construction is allowed; assignment is not)."""
    # Rows whose transitions take their step IDs from the row itself (an intray's type, a request's kind).
    extra = {"step_ids": ["CMA-1.1"]} if model._meta.label in ("intrays.Intray", "approvals.ApprovalRequest") else {}
    return model(**{field.name: state}, **extra)


def test_the_introspection_finds_the_life_cycles():
    labels = {m._meta.label for m, _ in PROTECTED}
    assert {"customers.PresentingIssue", "customers.PaymentArrangement", "contacts.Contact", "intrays.Intray",
            "intrays.CorrespondenceMatter", "ownership.AutoUnlock", "ownership.OwnershipTransfer", "ownership.Lock", "ps.PsRecord",
            "ps.PlanIssue", "ps.PlanOption", "ps.FinalisationRequest", "ps.ReallocationRequest",
            "approvals.ApprovalRequest"} <= labels


@pytest.mark.parametrize(("label", "name", "field"), STATE_LIKE, ids=[f"{lb}.{n}" for lb, n, _ in STATE_LIKE])
def test_every_status_field_is_a_protected_fsm_field(label, name, field):
    """A status/state field is a django-fsm FSMField(protected=True) unless listed (with why) in NOT_LIFE_CYCLE."""
    if (label, name) in NOT_LIFE_CYCLE:
        return
    assert isinstance(field, django_fsm.FSMFieldMixin) and field.protected, (
        f"{label}.{name} is a life-cycle field: make it FSMField(protected=True) with transitions, or add it to "
        "NOT_LIFE_CYCLE with the reason it is not a life cycle."
    )


@pytest.mark.parametrize(("model", "field"), PROTECTED, ids=PROTECTED_IDS)
def test_direct_assignment_of_a_status_raises(model, field):
    """Issue 10: ``row.status = ...`` is impossible on a row that has a status (loaded or constructed)."""
    states = [value for value, _ in field.flatchoices]
    row = _unsaved(model, field, states[0])
    with pytest.raises(AttributeError, match="modification is not allowed"):
        setattr(row, field.name, states[-1])
    assert getattr(row, field.name) == states[0]


@pytest.mark.parametrize(("model", "field"), PROTECTED, ids=PROTECTED_IDS)
def test_every_transition_names_step_ids_and_existing_callers(model, field):
    for row in transition_rows(model, field):
        assert row.step_ids, f"{row.model}.{row.name} names no step ID"
        for caller in row.callers:
            module_name, _, func_name = caller.rpartition(".")
            func = getattr(importlib.import_module(f"casework.{module_name}"), func_name)
            assert re.search(rf"\.{row.name}\b", inspect.getsource(func)), f"{caller} does not call {row.name}"


def _transition_cases():
    cases = []
    for model, field in PROTECTED:
        states = [value for value, _ in field.flatchoices]
        for row in transition_rows(model, field):
            for state in states:
                cases.append(pytest.param(model, field, row, state, id=f"{row.model}.{row.name}-from-{state}"))
    return cases


@pytest.mark.parametrize(("model", "field", "row", "state"), _transition_cases())
def test_transition_allowed_and_refused_sources(model, field, row, state):
    """Each transition moves only from its listed sources to its target; from any other state it is refused in the
    officer's words with its step IDs (409), never a django-fsm error (500)."""
    obj = _unsaved(model, field, state)
    method = getattr(obj, row.name)
    if state in row.sources:
        method()
        assert getattr(obj, field.name) == row.target
    else:
        with pytest.raises(TransitionRefused) as refused:
            method()
        assert refused.value.step_ids and "You cannot" in refused.value.message
        assert getattr(obj, field.name) == state


# ---------------------------------------------------------------- nothing assigns or bulk-updates a status

_BYPASS = [
    re.compile(r"\.(status|registration_status)\s*=(?!=)"),  # row.status = ...
    re.compile(r"\b(status|registration_status)\s*,[^=\n]*\)?\s*=\s*\(?[A-Z]\w*Status\."),  # a, row.status = ...
    re.compile(r"\.update\([^)]*\b(status|registration_status)\s*="),  # queryset.update(status=...)
    re.compile(r"bulk_update\([^)]*(status)"),  # bulk_update(rows, ["status"])
    re.compile(r"""setattr\([^,]+,\s*["'](status|registration_status)["']"""),
]


def _non_test_sources():
    for path in sorted(CASEWORK.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/tests/" in rel or "/migrations/" in rel:
            continue
        yield rel, path.read_text()


def test_no_non_test_code_assigns_or_bulk_updates_a_status():
    """Static scan of services, jobs, demo, admin, commands, bench: a status changes only through a transition."""
    hits = []
    for rel, text in _non_test_sources():
        for number, line in enumerate(text.splitlines(), start=1):
            if any(p.search(line) for p in _BYPASS):
                hits.append(f"{rel}:{number}: {line.strip()}")
    assert not hits, "status changed outside a transition:\n" + "\n".join(hits)


_LOCK_BYPASS = re.compile(r"(Lock\.objects|\block)\b[^\n]*\.update\([^)]*\bis_active\s*=")


def test_no_non_test_code_ends_a_lock_by_a_queryset_update():
    """``Lock.is_active`` is a protected state too (``Lock.end``): no set-based ``update(is_active=...)`` on locks."""
    hits = [f"{rel}:{n}: {line.strip()}" for rel, text in _non_test_sources()
            for n, line in enumerate(text.splitlines(), start=1) if _LOCK_BYPASS.search(line)]
    assert not hits, "lock ended outside Lock.end:\n" + "\n".join(hits)
    assert _LOCK_BYPASS.search("Lock.objects.filter(customer=c).update(is_active=False)")
    assert not _LOCK_BYPASS.search("Position.objects.filter(code=c).update(is_active=False)")


def test_the_scan_catches_each_bypass():
    for line in ("row.status = IssueStatus.FINALISED", "Intray.objects.filter(pk=1).update(status='done')",
                 "Model.objects.bulk_update(rows, ['status'])", "setattr(row, 'status', x)",
                 "rec.case_manager, rec.status = cm, RecordStatus.ACTIVE"):
        assert any(p.search(line) for p in _BYPASS), line
    assert not any(p.search("if row.status == IssueStatus.OPEN:") for p in _BYPASS)


# ---------------------------------------------------------------- admin, docs


def test_admin_never_edits_a_protected_status(db):
    request = RequestFactory().get("/admin/")
    from casework.testing.factories import UserFactory

    request.user = UserFactory(is_superuser=True, is_staff=True)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        names = protected_field_names(model)
        if not names:
            continue
        checked += 1
        editable = model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        if editable:
            assert set(names) <= set(model_admin.get_readonly_fields(request)), model._meta.label
    assert checked


def test_architecture_doc_shows_the_generated_transition_tables():
    """docs/architecture.md carries the transition tables generated from the models (``manage.py fsm_table``)."""
    doc = (ROOT / "docs" / "architecture.md").read_text()
    match = re.search(r"<!-- fsm-tables:start -->\n(.*?)<!-- fsm-tables:end -->", doc, re.S)
    assert match, "docs/architecture.md has no fsm-tables section"
    assert match.group(1) == transition_tables_markdown(), "regenerate with: manage.py fsm_table --write"


@pytest.mark.parametrize(("model", "field"), PROTECTED, ids=PROTECTED_IDS)
def test_full_clean_validates_a_protected_state_without_assigning_it(model, field):
    """Services call full_clean(); Django's clean_fields re-assigns each field, which a protected state refuses:
    ProtectedStateModel validates it without assigning (a valid state passes, an unknown one is a field error)."""
    from django.core.exceptions import ValidationError

    others = [f.name for f in model._meta.concrete_fields if f.name != field.name]
    states = [value for value, _ in field.flatchoices]
    _unsaved(model, field, states[0]).clean_fields(exclude=others)
    with pytest.raises(ValidationError) as invalid:
        _unsaved(model, field, "no_such_state").clean_fields(exclude=others)
    assert field.name in invalid.value.message_dict
