"""``manage.py org_coverage``: list every business area × state/territory without an intake position.

Exits non-zero when a gap exists (CI and deployment runs it after ``load_reference``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from casework.org import policy, selectors


class Command(BaseCommand):
    help = "List business areas without an intake position in each state and territory; exit 1 when any exists."

    def handle(self, *args, **options):
        gaps = selectors.coverage_gaps()
        decision = policy.coverage_decision(gaps)
        for gap in gaps:
            self.stdout.write(f"{gap.area_code}\t{gap.state}\t{gap.area_name} has no intake position in {gap.state}")
        if gaps:
            raise CommandError(f"{decision.explain()}")
        self.stdout.write(decision.explain())
