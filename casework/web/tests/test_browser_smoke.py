import pytest

from casework.testing.factories import OfficerFactory


@pytest.mark.browser
def test_officer_signs_in_and_sees_the_shell(live_server, browser_page, login, shot, reference):
    officer = OfficerFactory(user__username="smoke")
    login(browser_page, "smoke", "pass-Word-123")
    assert browser_page.get_by_role("link", name="Child Support Casework").is_visible()
    assert officer.display_name in browser_page.content()
    shot(browser_page, "smoke-signed-in")
