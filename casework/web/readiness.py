"""Readiness: may this instance take traffic? Health (``/api/v1/health/``) says the process and database answer;
readiness also needs every migration applied, the reference data loaded, and the job broker reachable."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


_migrated: list[bool] = []  # once every migration is applied it stays so for this process: loading them is slow


def _migrations() -> str:
    if _migrated:
        return "ok"
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return f"{len(pending)} migration(s) not applied"
    _migrated.append(True)
    return "ok"


def _reference() -> str:
    from casework.org.models import BusinessArea

    return "ok" if BusinessArea.objects.exists() else "reference data not loaded (manage.py load_reference)"


def _broker() -> str:
    url = settings.Q_CLUSTER.get("redis")
    if not url:
        return "ok"  # the ORM broker is the database, checked above
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    return "ok"


CHECKS = {"database": _database, "migrations": _migrations, "reference_data": _reference, "job_broker": _broker}


class ReadinessView(APIView):
    """200 when every check says ok; 503 naming what is not ready. Used by the load balancer before routing."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={
            200: inline_serializer("Ready", {"status": serializers.CharField(), "checks": serializers.DictField()}),
            503: inline_serializer("NotReady", {"status": serializers.CharField(), "checks": serializers.DictField()}),
        },
        auth=[],
    )
    def get(self, request):
        results: dict[str, str] = {}
        for name, check in CHECKS.items():
            try:
                results[name] = check()
            except Exception as exc:  # noqa: BLE001 - any failure (database, Redis, ...) means "not ready"
                results[name] = f"unavailable: {type(exc).__name__}"
            if name == "database" and results[name] != "ok":
                break
        ready = all(value == "ok" for value in results.values()) and len(results) == len(CHECKS)
        return Response(
            {"status": "ready" if ready else "not ready", "checks": results},
            status=status.HTTP_200_OK if ready else status.HTTP_503_SERVICE_UNAVAILABLE,
        )
