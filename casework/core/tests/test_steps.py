"""Step IDs come only from the procedures' catalogue (issue 10).

* ``casework/core/steps.tsv`` is a vendored copy of ``../shared/procedures/steps.tsv`` and must equal it;
* every constant in ``casework/core/steps.py`` is a catalogue step and every catalogue step has a constant;
* a ``Decision`` cannot be built with an unknown step ID;
* no ``.py``/``.html``/``.md`` file in the repository names a step-ID-shaped token that is not in the catalogue, and
  the catalogue steps that no code, template, doc or test cites are listed (as a warning, not a failure).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from casework.core import policy, steps
from casework.core.errors import TransitionRefused

REPO = Path(steps.__file__).resolve().parents[2]
SCANNED_SUFFIXES = {".py", ".html", ".md"}
SKIPPED_DIRS = {".git", ".venv", "venv", "node_modules", "var", "__pycache__", "build", "dist", ".eggs"}
# The registry names every step by construction; it does not count as "citing" one.
REGISTRY_FILES = {Path(steps.__file__).resolve()}


def _shared_catalogue() -> Path | None:
    """``<clone>/../shared/procedures/steps.tsv`` (CI), or one level further up (a git worktree under /work/wt/)."""
    for base in (REPO.parent, REPO.parent.parent):
        candidate = base / "shared" / "procedures" / "steps.tsv"
        if candidate.is_file():
            return candidate
    return None


def _repository_files() -> list[Path]:
    found = []
    for path in REPO.rglob("*"):
        rel = path.relative_to(REPO)
        if any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in rel.parts):
            continue
        if path.is_file() and path.suffix in SCANNED_SUFFIXES:
            found.append(path)
    return found


def _tokens_by_file() -> dict[Path, set[str]]:
    return {path: set(steps.TOKEN_RE.findall(path.read_text(encoding="utf-8", errors="replace")))
            for path in _repository_files()}


def test_vendored_catalogue_equals_the_shared_one_when_it_is_beside_the_repo():
    shared = _shared_catalogue()
    vendored = steps.CATALOGUE_PATH.read_text(encoding="utf-8")
    assert vendored.splitlines()[0].split("\t") == ["id", "title"]
    if shared is not None:
        assert vendored == shared.read_text(encoding="utf-8"), (
            f"casework/core/steps.tsv differs from {shared}: copy the shared catalogue into the repository"
        )


def test_the_catalogue_has_both_procedures_and_no_duplicate_ids():
    ids = [line.split("\t")[0] for line in steps.CATALOGUE_PATH.read_text(encoding="utf-8").splitlines()[1:] if line]
    assert len(ids) == len(set(ids)) == len(steps.CATALOGUE)
    assert "CMA-1.5" in steps.CATALOGUE and "PS-ROLE" in steps.CATALOGUE and "PS-SEG-3" in steps.CATALOGUE


def test_every_constant_is_a_catalogue_step_and_every_step_has_a_constant():
    constants = {name: value for name, value in vars(steps).items()
                 if name.isupper() and isinstance(value, str) and (name.startswith("CMA_") or name.startswith("PS_"))}
    assert set(constants.values()) == set(steps.CATALOGUE)
    assert steps.CMA_2_10 == "CMA-2.10" and steps.PS_F2F_1 == "PS-F2F-1"


# Unknown IDs are built from parts so that this file does not itself trip the repository scan below.
@pytest.mark.parametrize("bad", ["CMA-" + "9.9", "CMA-2", "PS-PSP", "PS-" + "XYZ-1", "cma-1.5", "", "CMA-1.5 "])
def test_a_decision_refuses_an_unknown_step_id(bad):
    with pytest.raises(steps.UnknownStep):
        policy.Decision.no("Refused.", "CMA-1.5", bad)
    with pytest.raises(steps.UnknownStep):
        policy.Decision(True, "Allowed.", (bad,))


def test_a_decision_with_catalogue_steps_is_built_and_names_them():
    decision = policy.Decision.yes("Allowed.", steps.CMA_1_5, "PS-REF-2")
    assert decision.step_ids == ("CMA-1.5", "PS-REF-2")
    assert TransitionRefused.from_decision(policy.Decision.no("No.", steps.CMA_3_4)).step_ids == ("CMA-3.4",)


def test_require_names_every_unknown_id():
    bad_cma, bad_ps = "CMA-" + "7.1", "PS-" + "FOO-2"
    with pytest.raises(steps.UnknownStep, match=f"'{bad_cma}', '{bad_ps}'"):
        steps.require("CMA-1.1", bad_cma, bad_ps)
    assert steps.require("CMA-1.1", "PS-ROLE") == ("CMA-1.1", "PS-ROLE")


def test_the_token_scan_finds_step_shaped_tokens_and_families():
    text = "see CMA-2.10-at-cutoff, PS-F2F-3 and PS-REF-2/3; sections CMA-2 and PS-FIN; GPS-ABC is not one"
    assert steps.TOKEN_RE.findall(text) == ["CMA-2.10", "PS-F2F-3", "PS-REF-2", "CMA-2", "PS-FIN"]
    assert steps.is_known_token("PS-FIN") and steps.is_known_token("CMA-2") and steps.is_known_token("CMA-2.10")
    assert not steps.is_known_token("CMA-" + "4") and not steps.is_known_token("PS-" + "ZZZ-1")


def test_no_file_in_the_repository_names_a_step_that_is_not_in_the_catalogue():
    """Any step-ID-shaped token in a .py/.html/.md file must be a catalogue step (or a section naming some); the
    catalogue steps that nothing cites are reported as a warning so that gaps in coverage are visible."""
    by_file = _tokens_by_file()
    assert len(by_file) > 100, "the scan found too few files: is REPO the repository root?"
    unknown = sorted(f"{path.relative_to(REPO)}: {token}"
                     for path, tokens in by_file.items() for token in tokens if not steps.is_known_token(token))
    assert not unknown, "step IDs not in casework/core/steps.tsv:\n" + "\n".join(unknown)

    cited = {token for path, tokens in by_file.items() if path.resolve() not in REGISTRY_FILES for token in tokens}
    uncited = [sid for sid in steps.CATALOGUE if sid not in cited]
    if uncited:
        message = "catalogue steps cited by no code, template, doc or test: " + ", ".join(uncited)
        print(message)
        warnings.warn(message, UserWarning, stacklevel=1)
