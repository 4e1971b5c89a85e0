"""Django system check (database tag, so it runs with ``manage.py check --database default`` and not on every
start-up): every business area has an intake position in every state and territory (CMA-1.3, CMA-2.10, CMA-3.3)."""

from __future__ import annotations

from django.core import checks


@checks.register(checks.Tags.database)
def intake_coverage(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from django.db import DatabaseError

    from . import selectors

    try:
        gaps = selectors.coverage_gaps()
    except DatabaseError:  # not migrated yet
        return []
    return [
        checks.Warning(
            f"{gap.area_name} has no active intake position in {gap.state}.",
            hint="Add one on the organisation screen (/org/) or run manage.py load_reference.",
            id="org.W001",
        )
        for gap in gaps
    ]
