import pytest

from casework.customers.csid import csid_problem, is_valid_csid, make_csid, normalise_csid


def test_made_csids_are_valid():
    for n in (0, 1, 123456789, 100000042):
        assert is_valid_csid(make_csid(n))


@pytest.mark.parametrize(
    "raw, problem",
    [
        ("", "Enter the customer's CSID."),
        ("12345abc90", "A CSID contains digits only."),
        ("123", "A CSID has 10 digits; this has 3."),
        ("12345678901", "A CSID has 10 digits; this has 11."),
    ],
)
def test_malformed_csid_says_what_is_wrong(raw, problem):
    assert csid_problem(raw) == problem


def test_wrong_check_digit_is_refused():
    good = make_csid(123456789)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert "check digit" in csid_problem(bad)


def test_spaces_and_hyphens_are_ignored():
    good = make_csid(123456789)
    assert normalise_csid(f"{good[:3]} {good[3:6]}-{good[6:]}") == good
    assert is_valid_csid(f"{good[:3]} {good[3:]}")
