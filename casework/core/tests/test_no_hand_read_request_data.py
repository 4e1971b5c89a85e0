"""Issue 13: every API input goes through a DRF serializer — no ``request.data`` read by hand in ``casework/*/api.py``
(nor in any other module with DRF views).

A hand read (``request.data.get(...)``, ``request.data[...]``, ``data = request.data`` then ``data.get``) bypasses the
field types and bounds, and the OpenAPI schema cannot list the fields a client must send (issue 10 leftover: the
ownership transfer operation listed only ``reason``). The only uses allowed are handing the body to a serializer:
``SomeSerializer(data=request.data)``, ``_valid(SomeSerializer, request.data)``, ``reject_client_step_ids(request.data)``
and the ``isinstance(request.data, Mapping)`` check. Fails on the old code (2da6cf4 / 88193bc): ownership/api.py read
``request.data`` by hand in ten views and intrays/api.py in five.
"""

from __future__ import annotations

import ast
from pathlib import Path

import casework

APPS = Path(casework.__file__).resolve().parent
ALLOWED_CALLS = {"_valid", "reject_client_step_ids", "isinstance"}


def _is_request_body(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in ("data", "POST")
            and isinstance(node.value, ast.Name) and node.value.id == "request")


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def hand_reads(source: str) -> list[int]:
    """Line numbers where ``request.data`` (or ``request.POST``) is used other than handed to a serializer."""
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:  # Serializer(data=request.data)
            if kw.arg == "data" and _is_request_body(kw.value):
                allowed.add(id(kw.value))
        if _call_name(node) in ALLOWED_CALLS:
            for arg in node.args:
                if _is_request_body(arg):
                    allowed.add(id(arg))
    return sorted(n.lineno for n in ast.walk(tree) if _is_request_body(n) and id(n) not in allowed)


def test_the_scanner_catches_every_hand_read_form():
    bad = (
        "def f(request):\n"
        "    a = request.data.get('x')\n"
        "    b = request.data['x']\n"
        "    data = request.data\n"
        "    c = str(request.data.get('y', ''))\n"
        "    d = request.POST.get('z')\n"
    )
    assert hand_reads(bad) == [2, 3, 4, 5, 6]
    good = (
        "def f(request):\n"
        "    ser = DecideIn(data=request.data)\n"
        "    data = _valid(LockIn, request.data)\n"
        "    if not isinstance(request.data, Mapping):\n"
        "        reject_client_step_ids(request.data)\n"
        "    ser = self.serializer(data=request.data)\n"
    )
    assert hand_reads(good) == []


def api_modules() -> list[Path]:
    """``casework/*/api.py`` and every other module with DRF views (``customers/facts_api.py``, ...), tests aside."""
    return sorted(p for p in APPS.rglob("*.py")
                  if "tests" not in p.parts and "migrations" not in p.parts
                  and (p.name == "api.py" or "rest_framework" in p.read_text()))


def test_no_api_view_reads_the_request_body_by_hand():
    files = api_modules()
    assert {"ownership/api.py", "intrays/api.py", "customers/facts_api.py"} <= {
        str(p.relative_to(APPS)) for p in files}
    found = {}
    for path in files:
        lines = hand_reads(path.read_text())
        if lines:
            found[str(path.relative_to(APPS.parent))] = lines
    assert found == {}, f"request.data read by hand (use a DRF serializer and @extend_schema(request=...)): {found}"
