"""Playwright fixtures for browser tests: Debian's chromium (never a downloaded browser) against ``live_server``.

Use in a test marked ``@pytest.mark.browser``::

    def test_journey(live_server, browser_page, login, shot):
        login(browser_page, "username", "password")      # signs in on live_server
        browser_page.goto(live_server.url + "/")
        shot(browser_page, "journey-01-home")            # saved under var/screenshots/
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def _playwright():
    # Playwright's sync API runs an event loop; Django refuses ORM calls from async contexts unless told otherwise.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def _browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def browser_page(_browser):
    context = _browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-AU")
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(live_server):
    def sign_in(page, username: str, password: str) -> None:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login/" not in url)

    return sign_in


# --- shared journey helpers (issue 14): axe on every page, screenshots at both widths, focus on the first field ---

WIDTHS = (1440, 1024)
AXE_BLOCKING = ("serious", "critical")
_AXE_TALLY = {"pages": 0, "violations": 0, "blocking": 0}


@pytest.fixture
def axe_check():
    """``axe_check(page, "label")`` runs axe-core (the copy shipped in axe-playwright-python: no network) on the page as
    it is now and fails on any serious or critical violation. Every call is counted; the totals are printed at the end
    of the run (``axe: N pages checked, V violations, 0 serious or critical``)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def run(page) -> list[dict]:
        # A click that navigates returns before the next document exists; axe run in that gap reads a null document
        # ("Cannot read properties of null (reading 'documentElement')") or loses its execution context. The check is
        # of the page the officer then sees: wait for it to load, and run again if a navigation still overtook us.
        from playwright.sync_api import Error

        for attempt in range(3):
            page.wait_for_load_state("load")
            try:
                return axe.run(page).response["violations"]
            except Error as exc:
                transient = ("documentElement" in str(exc) or "Execution context was destroyed" in str(exc)
                             or "navigat" in str(exc))
                if not transient or attempt == 2:
                    raise
                page.wait_for_timeout(200)
        raise AssertionError("unreachable")

    def check(page, label: str = "") -> int:
        violations = run(page)
        blocking = [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s): "
                    f"{[n.get('target') for n in v['nodes'][:3]]}"
                    for v in violations if v.get("impact") in AXE_BLOCKING]
        _AXE_TALLY["pages"] += 1
        _AXE_TALLY["violations"] += len(violations)
        _AXE_TALLY["blocking"] += len(blocking)
        assert not blocking, f"axe on {label or page.url}: {blocking}"
        return len(violations)

    return check


@pytest.fixture
def shot_widths(shot):
    """``shot_widths(page, "journey-1-03-contact")`` saves ``<name>-1440.png`` and ``<name>-1024.png`` (full page) and
    puts the viewport back as it was."""

    def take(page, name: str) -> list[Path]:
        before = page.viewport_size
        paths = []
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            paths.append(shot(page, f"{name}-{width}"))
        if before:
            page.set_viewport_size(before)
        return paths

    return take


def assert_focus_on_first_field(page, form_selector: str = "main form") -> None:
    """The step's first field has keyboard focus (autofocus, or the error summary's link target after an error).
    The browser applies ``autofocus`` at its next rendering step after load, which a loaded machine can delay past the
    moment the page reports loaded: the focus is waited for (up to 5 s), then checked."""
    first = page.evaluate(
        """(sel) => { const f = document.querySelector(sel); if (!f) return null;
             const el = f.querySelector('input:not([type=hidden]):not([disabled]), select, textarea');
             return el && (el.id || el.name); }""", form_selector)
    assert first is not None, f"no field in {form_selector} on {page.url}"
    active = "() => document.activeElement && (document.activeElement.id || document.activeElement.name)"
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(f"(first) => ({active})() === first", arg=first, timeout=5000)
    except PlaywrightTimeout:
        pass  # the assertion below says where the focus is instead
    focused = page.evaluate(active)
    assert focused == first, f"focus is on {focused!r}, not on the first field {first!r} of {form_selector} ({page.url})"


def pytest_sessionfinish(session):
    # Under pytest-xdist each worker sends its tally to the controller, which adds them up (pytest_testnodedown).
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["axe_tally"] = dict(_AXE_TALLY)


def pytest_testnodedown(node, error):
    for key, value in getattr(node, "workeroutput", {}).get("axe_tally", {}).items():
        _AXE_TALLY[key] += value


def pytest_terminal_summary(terminalreporter):
    if _AXE_TALLY["pages"]:
        terminalreporter.write_line(
            f"axe: {_AXE_TALLY['pages']} pages checked, {_AXE_TALLY['violations']} violations, "
            f"{_AXE_TALLY['blocking']} serious or critical")
