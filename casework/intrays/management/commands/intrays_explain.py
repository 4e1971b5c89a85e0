"""Print the query plans of the worklist reads (docs/intrays.md). ``--fill N`` first adds N synthetic intrays
(PostgreSQL only, via generate_series) so the planner sees a realistic table. Never run against production data."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from casework.core import clock
from casework.intrays.models import IS_OPEN, Intray
from casework.intrays.selectors import ordered


class Command(BaseCommand):
    help = "EXPLAIN the intray worklist queries (optionally after filling the table with synthetic rows)."

    def add_arguments(self, parser):
        parser.add_argument("--fill", type=int, default=0)

    def handle(self, *args, fill=0, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Run against PostgreSQL (DATABASE_URL=postgres://...).")
        sample = Intray.objects.filter(assignee_officer__isnull=False, team__isnull=False).order_by("id").first()
        by_position = Intray.objects.filter(assignee_position__isnull=False).order_by("id").first()
        if sample is None or by_position is None:
            raise CommandError("Needs intrays for an officer in a team and for a position (run seed_demo first).")
        if fill:
            self._fill(sample, by_position.assignee_position_id, fill)
        officer_id = sample.assignee_officer_id or 1
        today = clock.local_today(sample.office)
        queries = {
            "My intrays (page 1)": ordered(Intray.objects.filter(IS_OPEN, assignee_officer_id=officer_id))
            .select_related("type", "customer", "assignee_officer__user", "assignee_position", "office")[:25],
            "My intrays, overdue": ordered(Intray.objects.filter(IS_OPEN, assignee_officer_id=officer_id,
                                                                 due_date__lt=today))[:25],
            "Position's intrays": ordered(Intray.objects.filter(IS_OPEN, assignee_position_id=by_position.assignee_position_id))[:25],
            "Team's intrays": ordered(Intray.objects.filter(IS_OPEN, team_id=sample.team_id or 1))[:25],
            "Customer's open intrays": ordered(Intray.objects.filter(IS_OPEN, customer_id=sample.customer_id)),
            "SLA job batch": Intray.objects.filter(IS_OPEN, sla_breached_at__isnull=True, due_date__isnull=False,
                                                   due_date__lt=today).order_by("due_date", "id")
            .values_list("due_date", "id")[:500],
        }
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE intrays_intray")
            for title, qs in queries.items():
                sql, params = qs.query.sql_with_params()
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, params)
                self.stdout.write(f"### {title}\n")
                self.stdout.write("\n".join(row[0] for row in cursor.fetchall()) + "\n\n")

    def _fill(self, sample, position_id, n):
        """n synthetic rows spread over 5,000 officers/positions/teams, ~10% open, copying the sample's FKs."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO intrays_intray (type_id, customer_id, subject, details, status, assignee_officer_id,
                    assignee_position_id, team_id, office_id, created_at, due_date, outcome, delete_reason,
                    step_ids, version)
                SELECT %(type)s, %(customer)s, 'synthetic', '',
                       CASE WHEN g %% 10 = 0 THEN 'open' ELSE 'done' END,
                       CASE WHEN g %% 2 = 0 THEN %(officer)s::bigint END,
                       CASE WHEN g %% 2 = 1 THEN %(position)s::bigint END,
                       %(team)s::bigint, %(office)s::bigint, now() - (g %% 400) * interval '1 day',
                       current_date - (g %% 400) + 10, '', '', '[]'::jsonb, 1
                FROM generate_series(1, %(n)s) AS g
                """,
                {"type": sample.type_id, "customer": sample.customer_id, "officer": sample.assignee_officer_id,
                 "position": position_id, "team": sample.team_id, "office": sample.office_id, "n": n},
            )
