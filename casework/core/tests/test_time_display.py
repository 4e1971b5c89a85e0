"""Issue 14: every time an officer sees is in their office's zone and labelled with it; every date is en-AU. The one
filter (``{{ moment|when }}``, ``core.timefmt.shown``) and a scan of every template for a moment shown without it."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone

from casework.core.timefmt import shown

BRISBANE = zoneinfo.ZoneInfo("Australia/Brisbane")
SYDNEY = zoneinfo.ZoneInfo("Australia/Sydney")
PERTH = zoneinfo.ZoneInfo("Australia/Perth")
EVENT = dt.datetime(2026, 11, 30, 5, 14, tzinfo=dt.UTC)  # 16:14 in Sydney (daylight time), 15:14 in Brisbane


def test_same_event_for_a_brisbane_and_a_sydney_officer():
    assert shown(EVENT, tz=BRISBANE) == "30/11/2026 15:14 AEST"
    assert shown(EVENT, tz=SYDNEY) == "30/11/2026 16:14 AEDT"
    assert shown(EVENT, "time", tz=PERTH) == "13:14 AWST"
    assert shown(EVENT, "long", tz=SYDNEY) == "30 November 2026, 16:14 AEDT"
    assert shown(EVENT, "seconds", tz=BRISBANE) == "30/11/2026 15:14:00 AEST"


def test_sydney_winter_is_aest():
    assert shown(dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC), tz=SYDNEY) == "01/06/2026 12:00 AEST"


def test_the_local_date_of_a_late_event_is_the_officers():
    late = dt.datetime(2026, 11, 30, 14, 30, tzinfo=dt.UTC)  # 01:30 on 1 December in Sydney, 00:30 in Brisbane
    assert shown(late, "date", tz=SYDNEY) == "01/12/2026"
    assert shown(late, "date", tz=PERTH) == "30/11/2026"


def test_dates_are_en_au_and_have_no_zone():
    day = dt.date(2026, 11, 30)
    assert shown(day) == "30/11/2026"
    assert shown(day, "long") == "30 November 2026"
    assert shown(day, "longdate") == "30 November 2026"
    assert shown(dt.date(2026, 12, 7), "day") == "Mon 7 Dec"
    assert shown(None) == "" and shown("") == ""


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        shown(dt.datetime(2026, 11, 30, 5, 14))


def test_when_filter_is_a_builtin_and_uses_the_current_zone():
    template = Template("{{ moment|when }} | {{ moment|when:'time' }} | {{ day|when }}")
    with timezone.override(BRISBANE):
        out = template.render(Context({"moment": EVENT, "day": dt.date(2026, 2, 3)}))
    assert out == "30/11/2026 15:14 AEST | 15:14 AEST | 03/02/2026"
    with timezone.override(SYDNEY):
        assert Template("{{ m|when }}").render(Context({"m": EVENT})) == "30/11/2026 16:14 AEDT"


# --- The scan ---------------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"\{\{\s*(.*?)\s*\}\}", re.S)
# A name that holds a moment (DateTimeField): ``created_at``, ``e.at``, ``own.since``, ``due_at``.
MOMENT = re.compile(r"^[\w.]*(_at|\.at|\.since|^since)$")
TIME_CHARS = set("aAefgGhHiIOPrsTuUZ")  # a ``date`` format with any of these shows a time of day
MACHINE = {"c", "U"}  # ISO 8601 (``<time datetime=...>``) and epoch: for machines, not read by officers


def problems(text: str) -> list[str]:
    found = []
    for expr in VARIABLE.findall(text):
        name, *filters = [part.strip() for part in expr.split("|")]
        names = [f.split(":", 1)[0] for f in filters]
        args = {f.split(":", 1)[0]: f.split(":", 1)[1].strip("\"'") if ":" in f else "" for f in filters}
        if "when" in names:
            continue
        fmt = args.get("date")
        if fmt is not None and fmt not in MACHINE and set(fmt) & TIME_CHARS:
            found.append(f"{{{{ {expr} }}}} shows a time without its zone: use |when")
        elif "time" in names and MOMENT.match(name):
            found.append(f"{{{{ {expr} }}}} shows a time without its zone: use |when:'time'")
        elif MOMENT.match(name) and not ("date" in names and fmt):
            found.append(f"{{{{ {expr} }}}} shows a moment in Django's default format: use |when")
    return found


def test_scan_catches_the_ways_a_time_escapes():
    assert problems('{{ e.occurred_at|date:"d/m/Y H:i" }}')
    assert problems("{{ n.created_at }}")
    assert problems('{{ own.since|time:"H:i" }}')
    assert problems('{{ x.finalised_at|date }}')
    assert not problems('{{ e.occurred_at|when }} {{ e.at|when:"time" }} {{ d|date:"d/m/Y" }}')
    assert not problems("<time datetime=\"{{ n.created_at|date:'c' }}\">")
    assert not problems('{{ r.time_from|time:"H:i" }}')  # a time of day (a restriction's hours), not a moment


def test_no_template_shows_a_time_without_its_zone():
    found = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        if "/letters/" in str(path):  # letters show dates only (their own plain-language test covers them)
            continue
        found += [f"{path.relative_to(ROOT)}: {p}" for p in problems(path.read_text())]
    assert not found, "\n".join(found)


# --- Date inputs ------------------------------------------------------------------------------------------------


def test_date_field_accepts_the_picker_and_a_typed_australian_date():
    from casework.core.forms import DateField

    field = DateField(label="Review date")
    assert field.clean("2026-11-30") == dt.date(2026, 11, 30)
    assert field.clean("30/11/2026") == dt.date(2026, 11, 30)
    assert field.clean("1/2/2027") == dt.date(2027, 2, 1)  # 1 February, never 2 January
    from django import forms
    with pytest.raises(forms.ValidationError) as exc:
        field.clean("31/02/2026")
    assert "for example 30/11/2026" in exc.value.messages[0]
    with pytest.raises(forms.ValidationError) as exc:
        field.clean("11/30/2026")  # a US date is not a date here
    assert "dd/mm/yyyy" in exc.value.messages[0]
    assert 'type="date"' in field.widget.render("d", dt.date(2026, 11, 30)) and "2026-11-30" in field.widget.render(
        "d", dt.date(2026, 11, 30))


def test_date_time_field_accepts_the_picker_and_typed():
    from casework.core.forms import DateTimeField

    field = DateTimeField(label="When")
    with timezone.override(BRISBANE):
        assert field.clean("2026-11-30T15:14") == EVENT
        assert field.clean("30/11/2026 15:14") == EVENT


def test_web_forms_use_the_one_date_field():
    """Every officer form's date is ``core.forms.DateField`` (en-AU input and messages), never Django's own."""
    found = []
    for path in sorted(ROOT.glob("*/forms.py")):
        if path.parent.name == "core":
            continue
        text = path.read_text()
        for name in ("forms.DateField(", "forms.DateTimeField("):
            if name in text:
                found.append(f"{path.relative_to(ROOT)} uses {name} (use casework.core.forms.{name[6:-1]})")
    assert not found, "\n".join(found)
