"""Layering (issue 10, docs/architecture.md "Import contracts"): the import-linter contracts hold, and the thin edges
(views, API, panels, jobs, template tags) never write: every write is a service's.

The write scan is an AST scan, not a grep: it flags ``.save()``, ``.delete()``, ``.bulk_create()``,
``.bulk_update()``, ``.get_or_create()``, ``.update_or_create()``, ``.select_for_update()``, ``X.objects.create()``,
``.update()`` on a queryset (a receiver that goes through ``.objects``/``.filter()``/``.exclude()``/``.all()``) and
any use of ``django.db.transaction``. ``dict.update`` and the like are not flagged.
"""

from __future__ import annotations

import ast
import contextlib
import io
from pathlib import Path

import pytest

from casework.core import steps

REPO = Path(steps.__file__).resolve().parents[2]
CASEWORK = REPO / "casework"
EDGE_FILES = ("views.py", "api.py", "panels.py", "jobs.py")
ALWAYS_WRITES = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create",
                 "select_for_update"}
QUERYSET_STEPS = {"objects", "filter", "exclude", "all", "select_related", "prefetch_related", "order_by"}


def _edge_files() -> list[Path]:
    files = [p for name in EDGE_FILES for p in CASEWORK.glob(f"*/{name}")]
    files += list(CASEWORK.glob("*/templatetags/*.py"))
    return sorted(p for p in files if p.name != "__init__.py")


def _chain(node: ast.AST) -> list[str]:
    """Attribute/call names along a receiver expression, innermost last: ``Intray.objects.filter(...)`` ->
    [``filter``, ``objects``, ``Intray``]."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names
        else:
            return names


def write_calls(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "django.db" and any(
                a.name == "transaction" for a in node.names):
            found.append(f"l.{node.lineno}: imports django.db.transaction")
        if isinstance(node, ast.Import) and any(a.name == "django.db.transaction" for a in node.names):
            found.append(f"l.{node.lineno}: imports django.db.transaction")
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        attr, receiver = node.func.attr, _chain(node.func.value)
        if attr in ALWAYS_WRITES or (attr == "create" and "objects" in receiver) or (
                attr == "update" and QUERYSET_STEPS & set(receiver)):
            found.append(f"l.{node.lineno}: .{attr}() on {'.'.join(reversed(receiver)) or '?'}")
    return found


@pytest.mark.parametrize("source,flagged", [
    ("Intray.objects.create(subject='x')", True),
    ("Plan.objects.filter(pk=1).update(due_on=None)", True),
    ("plan.save(update_fields=['x'])", True),
    ("row.delete()", True),
    ("Token.objects.get_or_create(user=user)", True),
    ("Plan.objects.select_for_update().get(pk=1)", True),
    ("from django.db import transaction", True),
    ("ctx.update({'page': page})", False),
    ("services.intray_create(actor=user)", False),
    ("Intray.objects.filter(pk=1).first()", False),
])
def test_the_write_scan_flags_orm_writes_and_not_dict_updates(source, flagged):
    assert bool(write_calls(source)) is flagged


def test_views_api_panels_jobs_and_template_tags_never_write():
    files = _edge_files()
    assert any(p.name == "jobs.py" for p in files) and any(p.name == "api.py" for p in files)
    offenders = [f"{p.relative_to(REPO)} {hit}" for p in files for hit in write_calls(p.read_text(encoding="utf-8"))]
    assert not offenders, "write through a service (<entity>_<action> in services.py):\n" + "\n".join(offenders)


def test_the_import_contracts_hold():
    """The same check as ``lint-imports`` (scripts/test.sh, ``make lint``), so a broken contract fails the suite."""
    from importlinter.cli import lint_imports

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, out.getvalue()[-4000:]
