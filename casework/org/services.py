"""Writes to reference data. Every change is audited; nothing is hard-deleted (rows are deactivated)."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from casework.core import refcache
from casework.core.audit import audit_record, snapshot
from casework.core.versioning import version_bump, version_check


def reference_upsert(
    *, actor: Any, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any], reason: str = ""
) -> tuple[models.Model, bool]:
    """Create or update one reference row by its natural key; audit only when something changed.

    Returns (row, changed). Idempotent: loading the same data twice writes nothing the second time.
    """
    with transaction.atomic():
        row = model.objects.select_for_update().filter(**lookup).first()
        name = model._meta.model_name
        if row is None:
            row = model(**lookup, **values)
            row.full_clean()
            row.save()
            refcache.invalidate(model._meta.label_lower)  # issue 15: processes reload their cached copy
            audit_record(actor=actor, action=f"{name}.create", target=row, after=snapshot(row), reason=reason)
            return row, True
        before = snapshot(row)
        for key, value in values.items():
            setattr(row, key, value)
        after = snapshot(row)
        if after == before:
            return row, False
        row.full_clean()
        if hasattr(row, "version"):
            version_bump(row)
        row.save()
        refcache.invalidate(model._meta.label_lower)  # issue 15: processes reload their cached copy
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        audit_record(
            actor=actor,
            action=f"{name}.update",
            target=row,
            before={k: before[k] for k in changed},
            after=changed,
            reason=reason,
        )
        return row, True


# --- Officers, positions, teams ----------------------------------------------------------------------------------
# Administrators manage the organisation (``org.manage_reference``). Every change is audited; nothing is deleted.

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402

from casework.core.context import system_actor_var  # noqa: E402
from casework.core.errors import InvalidInput, NotPermitted  # noqa: E402

from .models import BusinessArea, Office, Officer, Position, Team  # noqa: E402
from .roles import STATE_TIMEZONES, TEAM_LEADER_ROLES, Role  # noqa: E402


def _require_manage(actor: Any) -> None:
    if actor is None and system_actor_var.get():
        return
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_perm("org.manage_reference"):
        raise NotPermitted("Only an administrator may change the organisation.")


def _clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = dict(exc.message_dict)
        if "__all__" in fields:
            fields["non_field_errors"] = fields.pop("__all__")
        raise InvalidInput("Check the highlighted fields.", fields=fields) from exc


def officer_create(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str,
    position: Position | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> Officer:
    """A sign-in account and its officer record (role, position). The password is never written to the trail."""
    _require_manage(actor)
    if getattr(role, "value", role) not in Role.values:
        raise InvalidInput("Choose a role.", fields={"role": [f"Choose one of: {', '.join(Role.values)}."]})
    User = get_user_model()
    if User._default_manager.filter(username=username).exists():
        raise InvalidInput("That username is taken.", fields={"username": ["That username is taken."]})
    if not password or len(password) < 8:
        raise InvalidInput("Choose a longer password.", fields={"password": ["Use at least 8 characters."]})
    with transaction.atomic():
        user = User(username=username, first_name=first_name, last_name=last_name, email=email)
        user.set_password(password)
        _clean(user)
        user.save()
        officer = Officer(user=user, role=getattr(role, "value", role), position=position)
        _clean(officer, exclude=["user"])
        officer.save()
        audit_record(
            actor=actor,
            action="officer.create",
            target=officer,
            after={"username": username, "role": officer.role, "position": position.code if position else None},
        )
    return officer


def officer_update(
    *,
    actor: Any,
    officer: Officer,
    reason: str,
    role: str | None = None,
    position: Position | None = None,
    clear_position: bool = False,
    is_active: bool | None = None,
    version: int | None = None,
) -> Officer:
    """Change an officer's role or position, or (de)activate them (the sign-in account follows). ``version``: the
    officer's version the change was made from (stale: 409, issue 13)."""
    _require_manage(actor)
    if not (reason or "").strip():
        raise InvalidInput("Say why.", fields={"reason": ["Enter the reason for the change."]})
    if getattr(actor, "pk", None) is not None and officer.user_id == actor.pk and (
            role is not None or position is not None or clear_position or is_active is not None):
        # Who may decide a request is a role and a scope (issue 11): nobody grants themselves one.
        raise NotPermitted("You cannot change your own role, position or access: another administrator does it.")
    with transaction.atomic():
        row = Officer.objects.select_for_update().select_related("user").get(pk=officer.pk)
        version_check(row, version, what="officer")
        before = snapshot(row, ["role", "position_id", "is_active"])
        if role is not None:
            if getattr(role, "value", role) not in Role.values:
                raise InvalidInput("Choose a role.", fields={"role": [f"Choose one of: {', '.join(Role.values)}."]})
            row.role = getattr(role, "value", role)
        if position is not None:
            row.position = position
        elif clear_position:
            row.position = None
        if is_active is not None:
            row.is_active = is_active
            row.user.is_active = is_active
            row.user.save(update_fields=["is_active"])
        after = snapshot(row, ["role", "position_id", "is_active"])
        changed = {k: v for k, v in after.items() if before[k] != v}
        if changed:
            version_bump(row)
            row.save()
            audit_record(
                actor=actor,
                action="officer.update",
                target=row,
                before={k: before[k] for k in changed},
                after=changed,
                reason=reason,
            )
    return row


def team_create(
    *, actor: Any, name: str, business_area: BusinessArea, office: Office, leader: Officer | None = None
) -> Team:
    """A team in a business area at an office, led by a Team Leader."""
    _require_manage(actor)
    _check_leader(leader)
    with transaction.atomic():
        team = Team(name=name, business_area=business_area, office=office, leader=leader)
        _clean(team)
        team.save()
        audit_record(actor=actor, action="team.create", target=team, after=snapshot(team))
    return team


def _check_leader(leader: Officer | None) -> None:
    if leader is not None and (leader.role not in TEAM_LEADER_ROLES or not leader.is_active):
        raise InvalidInput(
            "A team is led by an active Team Leader.", fields={"leader": ["Choose an active Team Leader."]}
        )


def team_leader_set(*, actor: Any, team: Team, leader: Officer | None, reason: str,
                    version: int | None = None) -> Team:
    _require_manage(actor)
    _check_leader(leader)
    with transaction.atomic():
        row = Team.objects.select_for_update().get(pk=team.pk)
        version_check(row, version, what="team")
        before = {"leader_id": row.leader_id}
        row.leader = leader
        version_bump(row)
        row.save(update_fields=["leader", "version"])
        audit_record(
            actor=actor,
            action="team.update",
            target=row,
            before=before,
            after={"leader_id": row.leader_id},
            reason=reason,
        )
    return row


def position_create(
    *,
    actor: Any,
    code: str,
    title: str,
    business_area: BusinessArea,
    office: Office,
    team: Team | None = None,
) -> Position:
    """A seat in a business area at an office (its state picks the working-day calendar)."""
    _require_manage(actor)
    if team is not None and team.business_area_id != business_area.pk:
        raise InvalidInput(
            "The team belongs to another business area.", fields={"team": ["Choose a team in the same business area."]}
        )
    with transaction.atomic():
        position = Position(code=code, title=title, business_area=business_area, office=office, team=team)
        _clean(position)
        position.save()
        audit_record(actor=actor, action="position.create", target=position, after=snapshot(position))
    return position


# --- Offices and updates -----------------------------------------------------------------------------------------


def _check_timezone(timezone: str) -> None:
    import zoneinfo

    if timezone:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                "Unknown time zone.", fields={"timezone": ["Use an IANA time zone, e.g. Australia/Adelaide."]}
            ) from None


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise InvalidInput("Say why.", fields={"reason": ["Enter the reason for the change."]})


def office_create(*, actor: Any, code: str, name: str, state: str, timezone: str = "") -> Office:
    """An office in a state or territory. Its state picks the public-holiday calendar, its time zone (default: the
    state's) the local day that working-day due dates count in."""
    _require_manage(actor)
    _check_timezone(timezone)
    with transaction.atomic():
        office = Office(code=code, name=name, state=state, timezone=timezone)
        _clean(office, exclude=["timezone"] if not timezone else None)
        office.save()
        audit_record(actor=actor, action="office.create", target=office, after=snapshot(office))
    return office


def _update(actor: Any, model: type[models.Model], row: models.Model, values: dict[str, Any], reason: str,
            version: int | None = None) -> Any:
    """Apply changed values to a locked copy, validate, save and audit ``<model>.update`` with before/after.
    ``version``: the row's version the change was made from (stale: 409 saying what changed, issue 13)."""
    _require_manage(actor)
    _require_reason(reason)
    name = model._meta.model_name
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=row.pk)
        version_check(locked, version, what=str(model._meta.verbose_name))
        before = snapshot(locked)
        for key, value in values.items():
            setattr(locked, key, value)
        after = snapshot(locked)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if not changed:
            return locked
        _clean(locked)
        version_bump(locked)
        locked.save()
        audit_record(
            actor=actor, action=f"{name}.update", target=locked, before={k: before[k] for k in changed},
            after=changed, reason=reason,
        )
    return locked


def office_update(
    *, actor: Any, office: Office, reason: str, name: str | None = None, timezone: str | None = None,
    is_active: bool | None = None, version: int | None = None,
) -> Office:
    """Rename an office, change its time zone, or (de)activate it. Its state is fixed (positions' calendars and the
    due dates already counted on them depend on it): open a new office instead."""
    if timezone is not None:
        _check_timezone(timezone)
    values = {k: v for k, v in {"name": name, "timezone": timezone, "is_active": is_active}.items() if v is not None}
    if values.get("timezone") == "":
        values["timezone"] = STATE_TIMEZONES[office.state]
    return _update(actor, Office, office, values, reason, version)


def team_update(*, actor: Any, team: Team, reason: str, name: str | None = None, is_active: bool | None = None,
                version: int | None = None) -> Team:
    """Rename or (de)activate a team (its leader changes through ``team_leader_set``)."""
    values = {k: v for k, v in {"name": name, "is_active": is_active}.items() if v is not None}
    return _update(actor, Team, team, values, reason, version)


def position_update(
    *, actor: Any, position: Position, reason: str, title: str | None = None, team: Team | None = None,
    clear_team: bool = False, is_active: bool | None = None, version: int | None = None,
) -> Position:
    """Retitle a position, move it into (or out of) a team of its own area, or (de)activate it. A position with an
    active officer in it is not deactivated (move the officer first)."""
    if team is not None and team.business_area_id != position.business_area_id:
        raise InvalidInput(
            "The team belongs to another business area.", fields={"team": ["Choose a team in the same business area."]}
        )
    if is_active is False and Officer.objects.filter(position=position, is_active=True).exists():
        raise InvalidInput(
            "An active officer holds this position; move them to another position first.",
            fields={"is_active": ["An active officer holds this position."]},
        )
    values: dict[str, Any] = {k: v for k, v in {"title": title, "is_active": is_active}.items() if v is not None}
    if team is not None:
        values["team"] = team
    elif clear_team:
        values["team"] = None
    return _update(actor, Position, position, values, reason, version)
