"""Issue 14: every web input goes through a django form: no ``request.POST`` read by hand in any non-test module of
casework (views, helpers, panels...). The only use allowed is handing the whole body to a form:
``SomeForm(request.POST ...)``, ``form_class(request.POST or None)``, ``FORMS[action](request.POST)``,
``_morning_form(m, request.POST)`` — a call to something named a form — possibly as ``request.POST if posted else
None``. A hand read (``request.POST.get``, ``request.POST[...]``, ``.getlist``, ``p = request.POST``) bypasses the
field types, bounds and labels, and the page cannot show what was typed with its error. Fails on the code before
issue 14 (af9719d): contacts/views.py, ownership/views.py, intrays/views.py, ps/views.py and web/views.py read it by
hand. The API's ``request.data`` has its own test (test_no_hand_read_request_data.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import casework

APPS = Path(casework.__file__).resolve().parent


def _is_post(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "POST"
            and isinstance(node.value, ast.Name) and node.value.id == "request")


def _is_form(call: ast.Call) -> bool:
    """A call to something named a form (``NoteForm``, ``forms.FORMS[action]``, ``form_class``, ``_morning_form``,
    ``decision_form_class(kind, payload)``)."""
    func = call.func.func if isinstance(call.func, ast.Call) else call.func
    return "form" in ast.unparse(func).lower()


def _handed(arg: ast.AST) -> list[ast.AST]:
    """The ``request.POST`` nodes an argument hands over whole (also ``request.POST or None`` and
    ``request.POST if posted else None``)."""
    if _is_post(arg):
        return [arg]
    if isinstance(arg, ast.BoolOp):
        return [v for v in arg.values if _is_post(v)]
    if isinstance(arg, ast.IfExp):
        return [v for v in (arg.body, arg.orelse) if _is_post(v)]
    return []


def hand_reads(source: str) -> list[int]:
    """Line numbers where ``request.POST`` is used other than handed whole to a form."""
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_form(node):
            for arg in [*node.args, *(kw.value for kw in node.keywords)]:
                allowed.update(id(n) for n in _handed(arg))
    return sorted(n.lineno for n in ast.walk(tree) if _is_post(n) and id(n) not in allowed)


def test_the_scanner_catches_every_hand_read():
    bad = (
        "def f(request):\n"
        "    a = request.POST.get('x')\n"
        "    b = request.POST['x']\n"
        "    p = request.POST\n"
        "    c = request.POST.getlist('codes')\n"
        "    d = services.thing(data=request.POST)\n"
        "    e = helper(request.POST or None)\n"
        "    g = NoteForm(request.POST.get('x'))\n"
    )
    assert hand_reads(bad) == [2, 3, 4, 5, 6, 7, 8]
    good = (
        "def f(request):\n"
        "    a = NoteForm(request.POST)\n"
        "    b = form_class(request.POST or None)\n"
        "    c = forms.FORMS[action](request.POST, **options)\n"
        "    d = _morning_form(m, request.POST)\n"
        "    e = decision_form_class(kind, payload)(request.POST)\n"
        "    g = IntrayCreateForm(request.POST if posted else None, request.FILES if posted else None)\n"
        "    h = intray_forms.ACTION_FORMS[name](data=request.POST)\n"
    )
    assert hand_reads(good) == []


def modules() -> list[Path]:
    return sorted(p for p in APPS.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts)


def test_no_module_reads_request_post_by_hand():
    files = modules()
    assert {"contacts/views.py", "ownership/views.py", "intrays/views.py", "ps/views.py", "web/views.py"} <= {
        str(p.relative_to(APPS)) for p in files}
    found = {}
    for path in files:
        lines = hand_reads(path.read_text())
        if lines:
            found[str(path.relative_to(APPS.parent))] = lines
    assert found == {}, f"request.POST read by hand (parse it with a django form, <app>/forms.py): {found}"
