"""Organisation administration over HTTP (/api/v1/org/...): offices, teams, positions, officers and the intake
coverage check. Administrators only (``org.manage_reference``; 403 with the reason for everyone else). Thin: DRF
serializers parse, ``org.services`` write (audited), ``org.selectors`` read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.api import DB_INT_MAX, IF_MATCH_PARAM, VersionConflictSerializer, expected_version, version_in, with_etag
from casework.core.errors import InvalidInput, NotFound, NotPermitted

from . import policy, selectors, services
from .models import BusinessArea, Office, Officer, Position, Team
from .roles import Role, State


def _require_admin(request) -> None:
    if not request.user.has_perm("org.manage_reference"):
        raise NotPermitted("Only an administrator may view or change the organisation.")


def _valid(serializer_class, data, *, partial: bool = False):
    s = serializer_class(data=data, partial=partial)
    if not s.is_valid():
        raise InvalidInput(
            "Check the highlighted fields.",
            fields={k: [str(m) for m in v] if isinstance(v, list) else [str(v)] for k, v in s.errors.items()},
        )
    return s.validated_data


def _get(model, what: str, **lookup):
    row = model.objects.filter(**lookup).first()
    if row is None:
        raise NotFound(f"No such {what}.")
    return row


def _ref(model, what: str, field: str, value, *, key: str = "code"):
    """A referenced row by id or code; a 400 on the field when it does not exist."""
    if value in (None, ""):
        return None
    lookup = {"pk": value} if str(value).isdigit() else {key: value}
    row = model.objects.filter(**lookup).first()
    if row is None:
        raise InvalidInput(f"No such {what}.", fields={field: [f"No such {what}: {value}."]})
    return row


# --- serializers ---------------------------------------------------------------------------------------------------


class OfficeOut(serializers.ModelSerializer):
    class Meta:
        model = Office
        fields = ["id", "code", "name", "state", "timezone", "is_active", "version"]


class OfficeIn(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=120)
    state = serializers.ChoiceField(choices=State.choices)
    timezone = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class OfficeChangeIn(serializers.Serializer):
    reason = serializers.CharField()
    version = version_in("office")
    name = serializers.CharField(max_length=120, required=False)
    timezone = serializers.CharField(max_length=64, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class TeamOut(serializers.ModelSerializer):
    business_area = serializers.CharField(source="business_area.code")
    office = serializers.CharField(source="office.code")
    leader = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "name", "business_area", "office", "leader", "is_active", "version"]

    def get_leader(self, team) -> str | None:
        return team.leader.user.username if team.leader_id else None


class TeamIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    business_area = serializers.CharField(help_text="Business area code")
    office = serializers.CharField(help_text="Office code")
    leader = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="Leader's username")


class TeamChangeIn(serializers.Serializer):
    reason = serializers.CharField()
    version = version_in("team")
    name = serializers.CharField(max_length=120, required=False)
    is_active = serializers.BooleanField(required=False)
    leader = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                   help_text="Leader's username; empty removes the leader")


class PositionOut(serializers.ModelSerializer):
    business_area = serializers.CharField(source="business_area.code")
    office = serializers.CharField(source="office.code")
    state = serializers.CharField(source="office.state")
    team = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = ["id", "code", "title", "business_area", "office", "state", "team", "is_active", "version"]

    def get_team(self, position) -> int | None:
        return position.team_id


class PositionIn(serializers.Serializer):
    code = serializers.SlugField(max_length=60)
    title = serializers.CharField(max_length=120)
    business_area = serializers.CharField(help_text="Business area code")
    office = serializers.CharField(help_text="Office code")
    team = serializers.IntegerField(max_value=DB_INT_MAX, required=False, allow_null=True)


class PositionChangeIn(serializers.Serializer):
    reason = serializers.CharField()
    version = version_in("position")
    title = serializers.CharField(max_length=120, required=False)
    team = serializers.IntegerField(max_value=DB_INT_MAX, required=False, allow_null=True, help_text="Team id; null takes it out of its team")
    is_active = serializers.BooleanField(required=False)


class OfficerOut(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="display_name")
    position = serializers.SerializerMethodField()

    class Meta:
        model = Officer
        fields = ["id", "username", "name", "role", "position", "is_active", "version"]

    def get_position(self, officer) -> str | None:
        return officer.position.code if officer.position_id else None


class OfficerIn(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    role = serializers.ChoiceField(choices=Role.choices)
    position = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="Position code")
    first_name = serializers.CharField(required=False, allow_blank=True, default="")
    last_name = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class OfficerChangeIn(serializers.Serializer):
    reason = serializers.CharField()
    version = version_in("officer")
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    position = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                     help_text="Position code; empty takes the officer out of their position")
    is_active = serializers.BooleanField(required=False)


class GapOut(serializers.Serializer):
    area_code = serializers.CharField()
    area_name = serializers.CharField()
    state = serializers.CharField()


class CoverageOut(serializers.Serializer):
    complete = serializers.BooleanField()
    detail = serializers.CharField()
    step_ids = serializers.ListField(child=serializers.CharField())
    gaps = GapOut(many=True)


def coverage_payload() -> dict:
    gaps = selectors.coverage_gaps()
    decision = policy.coverage_decision(gaps)
    return {
        "complete": decision.allowed,
        "detail": decision.reason,
        "step_ids": list(decision.step_ids),
        "gaps": [{"area_code": g.area_code, "area_name": g.area_name, "state": g.state} for g in gaps],
    }


# --- views ---------------------------------------------------------------------------------------------------------


class OfficeListView(APIView):
    @extend_schema(responses={200: OfficeOut(many=True)})
    def get(self, request):
        _require_admin(request)
        return Response(OfficeOut(selectors.offices(), many=True).data)

    @extend_schema(request=OfficeIn, responses={201: OfficeOut})
    def post(self, request):
        _require_admin(request)
        data = _valid(OfficeIn, request.data)
        office = services.office_create(actor=request.user, **data)
        return Response(OfficeOut(office).data, status=status.HTTP_201_CREATED)


class OfficeDetailView(APIView):
    @extend_schema(request=OfficeChangeIn, parameters=[IF_MATCH_PARAM], responses={200: OfficeOut, 409: VersionConflictSerializer})
    def patch(self, request, code: str):
        _require_admin(request)
        office = _get(Office, "office", code=code)
        data = dict(_valid(OfficeChangeIn, request.data))
        data["version"] = expected_version(request, data.get("version"), what="office")
        office = services.office_update(actor=request.user, office=office, **data)
        return with_etag(Response(OfficeOut(office).data), office)


class TeamListView(APIView):
    @extend_schema(responses={200: TeamOut(many=True)})
    def get(self, request):
        _require_admin(request)
        return Response(TeamOut(selectors.teams(), many=True).data)

    @extend_schema(request=TeamIn, responses={201: TeamOut})
    def post(self, request):
        _require_admin(request)
        data = _valid(TeamIn, request.data)
        team = services.team_create(
            actor=request.user, name=data["name"],
            business_area=_ref(BusinessArea, "business area", "business_area", data["business_area"]),
            office=_ref(Office, "office", "office", data["office"]),
            leader=_ref(Officer, "officer", "leader", data.get("leader"), key="user__username"),
        )
        return Response(TeamOut(selectors.teams().get(pk=team.pk)).data, status=status.HTTP_201_CREATED)


class TeamDetailView(APIView):
    @extend_schema(request=TeamChangeIn, parameters=[IF_MATCH_PARAM], responses={200: TeamOut, 409: VersionConflictSerializer})
    def patch(self, request, pk: int):
        _require_admin(request)
        team = _get(Team, "team", pk=pk)
        data = _valid(TeamChangeIn, request.data)
        version = expected_version(request, data.get("version"), what="team")
        if "leader" in data:
            leader = _ref(Officer, "officer", "leader", data["leader"], key="user__username")
            if leader != team.leader:
                team = services.team_leader_set(actor=request.user, team=team, leader=leader, reason=data["reason"],
                                                version=version)
                # The same request goes on from the version its first change made.
                version = team.version if version is not None else None
        if "name" in data or "is_active" in data:
            team = services.team_update(actor=request.user, team=team, reason=data["reason"],
                                        name=data.get("name"), is_active=data.get("is_active"), version=version)
        fresh = selectors.teams().get(pk=team.pk)
        return with_etag(Response(TeamOut(fresh).data), fresh)


class PositionListView(APIView):
    @extend_schema(responses={200: PositionOut(many=True)})
    def get(self, request):
        _require_admin(request)
        qs = selectors.positions()
        for param, field in (("business_area", "business_area__code"), ("office", "office__code"),
                             ("state", "office__state")):
            if request.query_params.get(param):
                qs = qs.filter(**{field: request.query_params[param]})
        return Response(PositionOut(qs, many=True).data)

    @extend_schema(request=PositionIn, responses={201: PositionOut})
    def post(self, request):
        _require_admin(request)
        data = _valid(PositionIn, request.data)
        position = services.position_create(
            actor=request.user, code=data["code"], title=data["title"],
            business_area=_ref(BusinessArea, "business area", "business_area", data["business_area"]),
            office=_ref(Office, "office", "office", data["office"]),
            team=_ref(Team, "team", "team", data.get("team")),
        )
        return Response(PositionOut(position).data, status=status.HTTP_201_CREATED)


class PositionDetailView(APIView):
    @extend_schema(request=PositionChangeIn, parameters=[IF_MATCH_PARAM], responses={200: PositionOut, 409: VersionConflictSerializer})
    def patch(self, request, code: str):
        _require_admin(request)
        position = _get(Position, "position", code=code)
        data = _valid(PositionChangeIn, request.data)
        team = _ref(Team, "team", "team", data.get("team")) if "team" in data else None
        position = services.position_update(
            actor=request.user, position=position, reason=data["reason"], title=data.get("title"), team=team,
            clear_team="team" in data and data["team"] is None, is_active=data.get("is_active"),
            version=expected_version(request, data.get("version"), what="position"),
        )
        return with_etag(Response(PositionOut(position).data), position)


class OfficerListView(APIView):
    @extend_schema(responses={200: OfficerOut(many=True)})
    def get(self, request):
        _require_admin(request)
        return Response(OfficerOut(selectors.officers(), many=True).data)

    @extend_schema(request=OfficerIn, responses={201: OfficerOut})
    def post(self, request):
        _require_admin(request)
        data = _valid(OfficerIn, request.data)
        officer = services.officer_create(
            actor=request.user, username=data["username"], password=data["password"], role=data["role"],
            position=_ref(Position, "position", "position", data.get("position")),
            first_name=data["first_name"], last_name=data["last_name"], email=data["email"],
        )
        return Response(OfficerOut(officer).data, status=status.HTTP_201_CREATED)


class OfficerDetailView(APIView):
    @extend_schema(request=OfficerChangeIn, parameters=[IF_MATCH_PARAM], responses={200: OfficerOut, 409: VersionConflictSerializer})
    def patch(self, request, username: str):
        _require_admin(request)
        officer = _get(Officer, "officer", user__username=username)
        data = _valid(OfficerChangeIn, request.data)
        position = _ref(Position, "position", "position", data.get("position")) if "position" in data else None
        officer = services.officer_update(
            actor=request.user, officer=officer, reason=data["reason"], role=data.get("role"), position=position,
            clear_position="position" in data and not data["position"], is_active=data.get("is_active"),
            version=expected_version(request, data.get("version"), what="officer"),
        )
        return with_etag(Response(OfficerOut(officer).data), officer)


class CoverageView(APIView):
    @extend_schema(responses={200: CoverageOut})
    def get(self, request):
        _require_admin(request)
        return Response(coverage_payload())
