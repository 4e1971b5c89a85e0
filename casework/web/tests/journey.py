"""Small helpers shared by the journey browser tests (test_journey_<n>_*.py): one call per step for the axe check
and the two screenshots, the horizontal-scroll check, and a choice the server must refuse (a select cannot be left
invalid by a person, so the test adds the option a stale page would still offer)."""

from __future__ import annotations

LONG_WORD = "W" * 600


def step(page, name: str, axe_check, shot_widths) -> None:
    """The page as the officer sees it now: 0 serious or critical axe violations, screenshots at 1440 and 1024 (full
    page), and ``<name>-view-1440.png``, only what is on screen, small enough for the user guide."""
    axe_check(page, name)
    shot_widths(page, name)
    view_shot(page, name)


def view_shot(page, name: str, width: int = 1440) -> None:
    from casework.testing.browser import SCREENSHOTS

    before = page.viewport_size
    page.set_viewport_size({"width": width, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / f"{name}-view-{width}.png"), full_page=False)
    if before:
        page.set_viewport_size(before)


def assert_no_horizontal_scroll(page, label: str) -> None:
    for width in (1440, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{label} at {width} px scrolls sideways ({scroll} > {inner})"


def choose_a_stale_option(page, select_selector: str, value: str = "no-longer-offered") -> None:
    page.evaluate(
        """([sel, value]) => { const s = document.querySelector(sel); const o = document.createElement('option');
             o.value = value; o.textContent = 'Stale choice'; s.appendChild(o); s.value = value; }""",
        [select_selector, value])


def top(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box["y"]
