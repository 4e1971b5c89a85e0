"""Issue 12: ``import_case_data`` shows a progress bar (on stderr, so the report on stdout stays clean), and
``--no-progress`` leaves it out."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example.jsonl"


@pytest.mark.django_db
def test_the_import_shows_a_progress_bar_counting_rows_on_stderr(reference):
    rows = sum(1 for line in EXAMPLE.read_text().splitlines() if line.strip())
    out, err = io.StringIO(), io.StringIO()
    call_command("import_case_data", str(EXAMPLE), stdout=out, stderr=err)
    assert "import:" in err.getvalue() and f"{rows} rows" in err.getvalue()
    assert "import:" not in out.getvalue() and f"rows {rows}" in out.getvalue()


@pytest.mark.django_db
def test_no_progress_leaves_the_bar_out(reference):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_case_data", str(EXAMPLE), "--no-progress", stdout=out, stderr=err)
    assert "import:" not in err.getvalue()
