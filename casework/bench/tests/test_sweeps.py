"""The bench's sweep phase (issue 15) at a tiny scale: the backlogs it generates are written through the loader's
COPY writer (text blocks) and the sweeps then record every breach and audit every automatic unlock."""

from __future__ import annotations

import pytest

from casework.bench import loader, sweeps

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_sweep_phase_generates_its_backlogs_and_sweeps_them(reference, monkeypatch):
    monkeypatch.setattr(loader, "BATCH", 200)
    loader.load(600, workers=1)  # officers grow with the book: the SERVICES bench officer is the third
    result = sweeps.bench_sweeps(600, sla_rows=6, unlock_rows=3, log=lambda *a: None)
    assert result["sla_breach"]["backlog"] == 6
    assert result["sla_breach"]["recorded"] == 6
    unlock = result["auto_unlock"]
    assert unlock["backlog"] == 3 and unlock["unlocked"] == 3 and unlock["failed"] == 0
    assert unlock["every_unlock_audited"]
    for sweep in (result["sla_breach"], unlock):  # the whole job (with the seal) and its chunks alone
        assert 0 < sweep["rows_per_second"] <= sweep["chunk_rows_per_second"]
        assert 0 < sweep["seal_seconds"] < sweep["seconds"]
