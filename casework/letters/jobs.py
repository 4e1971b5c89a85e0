"""django-q2 work of the letters app (issue 15): a letter's PDF is rendered after the issuing transaction commits.

``letter_render_job(letter_id)`` is the task ``services.letter_issue`` queues after commit. ``letters_render_pending``
is the scheduled sweep (every ``reference.RENDER_SWEEP_MINUTES``): it renders every letter issued in the last
``RENDER_SWEEP_DAYS`` days that has no document yet (a task the broker lost, a worker that died) and retries the
failed ones when their backoff time comes. Both run each letter through ``core.services.job_items(...).run``: a
render that raises is recorded (``core.JobItemFailure``, audited ``core.job_item_failed``; the officer sees
"PDF not ready: retrying"), never lost, and a later success resolves it. Every write is ``services.letter_render``.
"""

from __future__ import annotations

import datetime as dt

from casework.core import clock
from casework.core.context import job_context
from casework.core.services import job_items

from . import services
from .models import Letter

RENDER_SWEEP_DAYS = 7
# A letter this new is left to the task its issue queued (the sweep would only do the same work twice).
RENDER_GRACE = dt.timedelta(minutes=2)


def _customer_of(letter_id: int) -> tuple[int | None, str]:
    row = Letter.objects.filter(pk=letter_id).values_list("customer_id", "customer__csid").first()
    return (row[0], row[1] or "") if row else (None, "")


def _items():
    return job_items(job=services.RENDER_JOB, item_type=services.RENDER_ITEM)


def letter_render_job(letter_id: int) -> bool:
    """Render one letter (queued after its issue committed). True when its document exists."""
    with job_context(services.RENDER_JOB):
        items = _items()
        failure = items.open.get(str(letter_id))
        if failure is not None:
            # Queued again (by hand): run now whatever the backoff says (in memory only; a failure counts again).
            failure.next_attempt_at = clock.now()
        outcome = items.run(letter_id, lambda: services.letter_render(letter_id=letter_id),
                            who=lambda: _customer_of(letter_id))
        return outcome.ok


def letters_render_pending(batch: int = 200) -> int:
    """The sweep: letters without a document (issued lately, or with an open render failure) are rendered."""
    rendered = 0
    with job_context(services.RENDER_JOB):
        items = _items()
        now = clock.now()
        recent = (Letter.objects.filter(document__isnull=True, issued_at__gte=now - dt.timedelta(days=RENDER_SWEEP_DAYS),
                                        issued_at__lte=now - RENDER_GRACE)
                  .order_by("issued_at").values_list("pk", flat=True)[:batch])
        failed = [int(i) for i in items.open if i.isdigit()]
        for letter_id in dict.fromkeys([*recent, *failed]):
            outcome = items.run(letter_id, lambda letter_id=letter_id: services.letter_render(letter_id=letter_id),
                                who=lambda letter_id=letter_id: _customer_of(letter_id))
            if outcome.ok:
                rendered += 1
        items.resolve_gone(lambda ids: Letter.objects.filter(
            pk__in=[int(i) for i in ids if i.isdigit()], document__isnull=True).values_list("pk", flat=True))
    return rendered
