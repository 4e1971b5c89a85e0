"""docs/user-guide.md: a page per role (issue 14), each page present, and every screenshot a page shows committed in
docs/user-guide/img/ and made by a browser test (its name is written by a test under casework/)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
GUIDE = ROOT / "docs" / "user-guide"
ROLES = ("every-officer", "service-officer", "specialist-officer", "team-leader", "ps-case-manager",
         "ps-team-leader", "nmqcc", "auditor")


def test_the_index_links_a_page_per_role_and_each_page_exists():
    index = (ROOT / "docs" / "user-guide.md").read_text()
    for role in ROLES:
        assert f"(user-guide/{role}.md)" in index, role
        assert (GUIDE / f"{role}.md").read_text().startswith("# "), role


def test_every_screenshot_shown_is_committed_and_made_by_a_browser_test():
    tests = "\n".join(p.read_text() for p in (ROOT / "casework").rglob("test_*.py"))
    tests += (ROOT / "casework" / "web" / "tests" / "journey.py").read_text()
    shown = set()
    for page in GUIDE.glob("*.md"):
        shown |= set(re.findall(r"\]\(img/([A-Za-z0-9_.-]+\.png)\)", page.read_text()))
    assert shown, "the guide shows no screenshot"
    for name in sorted(shown):
        assert (GUIDE / "img" / name).is_file(), f"docs/user-guide/img/{name} is not committed"
        stem = re.sub(r"-(view-)?(1440|1024)\.png$", "", name).removesuffix(".png")
        family = "-".join(stem.split("-")[:2])  # names are built by the tests, e.g. f"i14-forms-{name}-{width}"
        assert stem in tests or f'"{family}-' in tests, f"no browser test writes {name}"
