"""Organisation reference data: business areas, presenting-issue types, offices, teams, positions, officers.

The ownership rules of CMA-1.5 read their priority and retained parties from ``BusinessArea`` rows, so a changed
procedure is a data change (admin-editable, audited), not a code change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from casework.core.versioning import version_field

from .roles import STATE_TIMEZONES, Role, State


class AreaKind(models.TextChoices):
    COMMON = "common", "Common"
    SPECIALISED = "specialised", "Specialised"


class RetainedParties(models.TextChoices):
    """Which parties a retaining area keeps locked (CMA-1.5)."""

    NONE = "none", "Does not retain ownership"
    PAYER = "payer", "Payer stays locked"
    PAYEE = "payee", "Payee stays locked"
    BOTH = "both", "Payee and payer stay locked"
    EITHER = "either", "Payee and/or payer stay locked"


class BusinessArea(models.Model):
    code = models.SlugField(max_length=40, unique=True, help_text="Stable identifier, e.g. LITIGATION.")
    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=12, choices=AreaKind.choices)
    retention_priority = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        unique=True,
        help_text="CMA-1.5 rank among areas that retain ownership with multiple specialised issues (1 = highest). "
        "Empty: the area does not retain ownership by priority.",
    )
    retains_parties = models.CharField(
        max_length=8, choices=RetainedParties.choices, default=RetainedParties.NONE, help_text="CMA-1.5"
    )
    is_front_line = models.BooleanField(
        default=False, help_text="Takes calls for customers nobody owns (default routing)."
    )
    is_active = models.BooleanField(default=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_specialised(self) -> bool:
        return self.kind == AreaKind.SPECIALISED


class IssueType(models.Model):
    """Catalogue of presenting issues (CMA-1.2): common ones are handled anywhere, specialised ones by an area."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=12, choices=AreaKind.choices)
    handling_area = models.ForeignKey(BusinessArea, on_delete=models.PROTECT, related_name="issue_types")
    is_collection_related = models.BooleanField(
        default=False, help_text="Collection is a presenting issue (CMA-2.5: gather collection information)."
    )
    is_income_related = models.BooleanField(
        default=False, help_text="Customer called specifically about income (CMA-2.2)."
    )
    is_active = models.BooleanField(default=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_specialised(self) -> bool:
        return self.kind == AreaKind.SPECIALISED


class Office(models.Model):
    """A physical office. Its state picks the public-holiday calendar; its time zone the local day."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    state = models.CharField(max_length=3, choices=State.choices)
    timezone = models.CharField(max_length=64, blank=True, help_text="IANA zone; defaults from the state.")
    is_active = models.BooleanField(default=True)
    version = version_field()

    class Meta:
        ordering = ["state", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"

    def save(self, *args, **kwargs):
        if not self.timezone:
            self.timezone = STATE_TIMEZONES[self.state]
        super().save(*args, **kwargs)


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    business_area = models.ForeignKey(BusinessArea, on_delete=models.PROTECT, related_name="teams")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="teams")
    leader = models.ForeignKey(
        "Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="teams_led"
    )
    is_active = models.BooleanField(default=True)
    version = version_field()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    """A seat in a business area at an office. Work and locks can be held by a position rather than a person."""

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=120)
    business_area = models.ForeignKey(BusinessArea, on_delete=models.PROTECT, related_name="positions")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="positions")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="positions")
    is_active = models.BooleanField(default=True)
    version = version_field()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.title} — {self.business_area.name}, {self.office.state}"

    @property
    def state(self) -> str:
        return self.office.state


class Officer(models.Model):
    """An agency officer: a user with a role, holding a position (and so a business area, office and team)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer")
    role = models.CharField(max_length=32, choices=Role.choices)
    position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.PROTECT, related_name="officers"
    )
    is_active = models.BooleanField(default=True)
    version = version_field()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = self.user.get_full_name()
        return full or self.user.username

    @property
    def business_area(self) -> BusinessArea | None:
        return self.position.business_area if self.position_id else None

    @property
    def team(self) -> Team | None:
        return self.position.team if self.position_id else None

    @property
    def office(self) -> Office | None:
        return self.position.office if self.position_id else None
