"""Issue 14: choosing an officer or a position — the one lookup (org.selectors.pick_resolve / pick_search), the form
fields (org.pickers), the picker's suggestions endpoint (/org/pick/) and names instead of usernames."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client

from casework.org.pickers import OfficerField, OfficerOrPositionField, PositionField
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(reference):
    office = f.OfficeFactory(code="parra", name="Parramatta")
    ana = f.OfficerFactory(user__username="so_ana", user__first_name="Ana", user__last_name="Ruiz",
                           position__office=office, position__code="so-parra-1", position__title="Service Officer 1")
    tl = f.OfficerFactory(user__username="tl_tom", user__first_name="Tom", user__last_name="Ng",
                          role=Role.TEAM_LEADER, position__office=office, position__code="tl-parra",
                          position__title="Team Leader Parramatta")
    twin1 = f.OfficerFactory(user__username="so_sam1", user__first_name="Sam", user__last_name="Lee",
                             position__office=office)
    twin2 = f.OfficerFactory(user__username="so_sam2", user__first_name="Sam", user__last_name="Lee",
                             position__office=office)
    gone = f.OfficerFactory(user__username="so_gone", user__first_name="Gail", user__last_name="Gone",
                            is_active=False, position__office=office)
    auditor = f.OfficerFactory(user__username="aud", role=Role.AUDITOR, position__office=office)
    return {"ana": ana, "tl": tl, "twin1": twin1, "twin2": twin2, "gone": gone, "auditor": auditor,
            "office": office}


class PickForm(forms.Form):
    officer = OfficerField(label="Officer")
    position = PositionField(label="Position")
    either = OfficerOrPositionField(label="Refer to")
    leader = OfficerField(label="Team Leader", scope={"role__in": [Role.TEAM_LEADER]})


def _clean(**data):
    form = PickForm(data)
    form.is_valid()
    return form


def test_field_picks_by_the_pickers_value(people):
    form = _clean(officer=f"officer:{people['ana'].pk}", officer__pick="", position="",
                  either="Ana Ruiz (Service Officer, Parramatta)", either__pick=f"position:{people['tl'].position.pk}")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["officer"] == people["ana"]
    assert form.cleaned_data["either"] == people["tl"].position  # the hidden choice wins over the text shown


def test_field_accepts_a_typed_username_position_code_or_full_name(people):
    form = _clean(officer="SO_ANA", position="tl-parra", either="Tom Ng", leader="tl_tom")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["officer"] == people["ana"]
    assert form.cleaned_data["position"] == people["tl"].position
    assert form.cleaned_data["either"] == people["tl"]
    assert form.cleaned_data["leader"] == people["tl"]


def test_field_nothing_matches_is_a_field_error_in_words(people):
    form = _clean(officer="nobody")
    assert not form.is_valid()
    assert form.errors["officer"] == ["No officer matches \u201cnobody\u201d: type at least 2 letters of a name, "
                                      "username and choose from the list."]


def test_field_more_than_one_match_asks_to_choose(people):
    form = _clean(officer="Sam Lee")
    assert not form.is_valid()
    assert "More than one officer matches \u201cSam Lee\u201d" in form.errors["officer"][0]


def test_field_refuses_an_inactive_officer(people):
    form = _clean(officer="so_gone")
    assert "No officer matches" in form.errors["officer"][0]
    form = _clean(officer=f"officer:{people['gone'].pk}")
    assert "can no longer be given this work" in form.errors["officer"][0]


def test_field_refuses_one_outside_its_scope(people):
    form = _clean(leader="so_ana")  # not a Team Leader
    assert "No officer matches" in form.errors["leader"][0]
    form = _clean(leader=f"officer:{people['ana'].pk}")
    assert "can no longer be given this work" in form.errors["leader"][0]


def test_field_blank_is_none_and_garbage_never_raises(people):
    form = _clean(officer="", position="   ", either="officer:99999999999999999999999", leader="x" * 500)
    assert form.errors.keys() == {"either", "leader"}
    assert form.cleaned_data["officer"] is None and form.cleaned_data["position"] is None


def test_widget_is_an_accessible_combobox_that_keeps_what_was_typed(people):
    html = str(_clean(officer="ana r", officer__pick="")["officer"])
    assert 'role="combobox"' in html and 'aria-expanded="false"' in html and 'aria-autocomplete="list"' in html
    listbox = re.search(r'aria-controls="([^"]+)"', html).group(1)
    assert f'<ul role="listbox" id="{listbox}"' in html
    assert 'value="ana r"' in html and 'hx-get="/org/pick/?scope=' in html
    unbound = str(PickForm(initial={"officer": people["ana"]})["officer"])
    assert 'value="Ana Ruiz (Service Officer, Parramatta)"' in unbound
    assert f'value="officer:{people["ana"].pk}"' in unbound


# --- the suggestions endpoint -------------------------------------------------------------------------------------

def _pick_url(field: str = "either") -> str:
    html = str(PickForm()[field])
    return re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def _client(officer) -> Client:
    c = Client()
    c.force_login(officer.user)
    return c


def test_endpoint_suggests_names_role_and_office_only(people, django_assert_max_num_queries):
    client = _client(people["ana"])
    url = _pick_url()
    with django_assert_max_num_queries(7):
        r = client.get(url + "&q=sa")
    assert r.status_code == 200
    body = r.content.decode()
    assert body.count('role="option"') == 2 and "Sam Lee (Service Officer, Parramatta)" in body
    assert f'data-value="officer:{people["twin1"].pk}"' in body
    assert "Gail" not in body and "@" not in body  # inactive: not offered; no e-mail or anything else
    assert "Team Leader Parramatta" in client.get(url + "&q=team+l").content.decode()  # positions by title


def test_endpoint_respects_the_fields_scope_and_refuses_a_tampered_one(people):
    client = _client(people["ana"])
    url = _pick_url("leader")
    assert "Ana Ruiz" not in client.get(url + "&q=an").content.decode()
    assert "Tom Ng" in client.get(url + "&q=to").content.decode()
    tampered = re.sub(r"scope=[^&]+", "scope=e30:forged:sig", url)
    assert client.get(tampered + "&q=an").status_code == 400


def test_endpoint_is_capped_and_needs_two_characters(people):
    for n in range(15):
        f.OfficerFactory(user__username=f"zed{n}", user__first_name="Zed", user__last_name=f"Z{n}")
    client = _client(people["ana"])
    url = _pick_url()
    assert client.get(url + "&q=ze").content.decode().count('data-value="officer:') == 10
    short = client.get(url + "&q=z").content.decode()
    assert "data-value" not in short and "Type at least 2 letters" in short


def test_endpoint_is_for_officers_who_hand_work_on(people):
    url = _pick_url()
    assert _client(people["auditor"]).get(url + "&q=an").status_code == 403
    assert Client().get(url + "&q=an").status_code == 302  # signed out: to the sign-in page


# --- names instead of usernames -----------------------------------------------------------------------------------

def test_officer_name_filter(people):
    user_without_officer = f.UserFactory(username="plain", first_name="Pat", last_name="Plain")
    out = Template("{{ a|officer_name }}|{{ b|officer_name }}|{{ c|officer_name }}|{{ d|officer_name }}").render(
        Context({"a": people["ana"], "b": people["tl"].user, "c": user_without_officer, "d": None}))
    assert out == "Ana Ruiz (Service Officer, Parramatta)|Tom Ng (Team Leader, Parramatta)|Pat Plain|"
