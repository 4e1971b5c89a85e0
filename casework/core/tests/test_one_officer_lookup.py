"""Issue 14: "which officer or position did the officer pick" is answered in one place, ``org.selectors.pick_resolve``
(through the form fields of ``org.pickers`` on web pages, and directly by the API's parsers). This scan fails on a
view, form, API or panel module that looks an officer up by username (``user__username=``/``username=`` in a query,
``Officer.objects.get(``) or a position up by code (``Position.objects...code=``) by itself. Fails on the code before
this change: intrays/views.py (``_find_officer``/``_find_position``), ps/views.py (``_officer``), ownership/api.py
(``_officer_in``/``_position_in``) and ps/api.py (``_officer_ref``/``_position_ref``) each had their own."""

from __future__ import annotations

import re
from pathlib import Path

import casework

APPS = Path(casework.__file__).resolve().parent
SCANNED = ("views.py", "forms.py", "api.py", "facts_api.py", "panels.py", "pickers.py")
# Not a pick: the administrator's reference-data API addresses an officer by the username in its URL
# (``/api/v1/org/officers/<username>/``) and a team's leader by username; the sign-in API takes a username.
ALLOWED = {"org/api.py", "web/api.py"}
PATTERNS = [
    re.compile(r"user__username(__iexact|__exact)?\s*="),
    re.compile(r"\.filter\([^)]*\busername\s*="),
    re.compile(r"\b(Officer|Position)\.objects\.get\("),
    re.compile(r"\bPosition\.objects\b[^\n]*\bcode(__iexact)?\s*="),
]


def _offences() -> list[str]:
    found = []
    for path in sorted(APPS.rglob("*.py")):
        rel = path.relative_to(APPS).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in rel or path.name not in SCANNED or rel in ALLOWED:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if any(p.search(line) for p in PATTERNS):
                found.append(f"{rel}:{n}: {line.strip()}")
    return found


def test_no_view_or_form_looks_up_an_officer_by_itself():
    offences = _offences()
    assert not offences, ("Choose officers and positions with org.pickers.OfficerField/PositionField (web) or "
                          "org.selectors.pick_resolve (API), not by hand:\n" + "\n".join(offences))


def test_the_scan_sees_a_hand_lookup(tmp_path):
    line = 'officer = Officer.objects.filter(user__username=value).first()'
    assert any(p.search(line) for p in PATTERNS)
    assert any(p.search('pos = Position.objects.filter(code=d["x"]).first()') for p in PATTERNS)
    assert not any(p.search("return pick_resolve(str(value), kinds=('officer',))") for p in PATTERNS)
