"""django.forms for the organisation screens (administrators). Validation of the rules lives in org.services."""

from __future__ import annotations

from django import forms

from .models import BusinessArea, Office, Officer, Position, Team
from .roles import TEAM_LEADER_ROLES, Role, State


class OfficeForm(forms.Form):
    code = forms.SlugField(max_length=40)
    name = forms.CharField(max_length=120)
    state = forms.ChoiceField(choices=State.choices)
    timezone = forms.CharField(max_length=64, required=False, help_text="IANA zone; empty: the state's zone.")


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    business_area = forms.ModelChoiceField(queryset=BusinessArea.objects.filter(is_active=True), to_field_name="code")
    office = forms.ModelChoiceField(queryset=Office.objects.filter(is_active=True), to_field_name="code")
    leader = forms.ModelChoiceField(
        queryset=Officer.objects.filter(role__in=[r.value for r in TEAM_LEADER_ROLES], is_active=True)
        .select_related("user"),
        required=False,
    )


class PositionForm(forms.Form):
    code = forms.SlugField(max_length=60, help_text="e.g. FOI-adelaide-intake (team-less '-intake' positions "
                                                    "receive work addressed to the area).")
    title = forms.CharField(max_length=120)
    business_area = forms.ModelChoiceField(queryset=BusinessArea.objects.filter(is_active=True), to_field_name="code")
    office = forms.ModelChoiceField(queryset=Office.objects.filter(is_active=True), to_field_name="code")
    team = forms.ModelChoiceField(queryset=Team.objects.filter(is_active=True), required=False)


class OfficerForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, min_length=8)
    role = forms.ChoiceField(choices=Role.choices)
    position = forms.ModelChoiceField(
        queryset=Position.objects.filter(is_active=True).select_related("business_area", "office"),
        to_field_name="code", required=False,
    )
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
