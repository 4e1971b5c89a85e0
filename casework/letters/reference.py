"""Letters reference data: the django-q2 schedule of the render sweep (issue 15, ``jobs.letters_render_pending``).
Idempotent."""

from __future__ import annotations

RENDER_SCHEDULE_NAME = "letters.render_pending"
RENDER_SCHEDULE_FUNC = "casework.letters.jobs.letters_render_pending"
RENDER_SWEEP_MINUTES = 5


def load(*, actor=None) -> int:  # noqa: ARG001 (the loader's signature)
    from casework.core.queue import schedule_every_minutes

    return schedule_every_minutes(name=RENDER_SCHEDULE_NAME, func=RENDER_SCHEDULE_FUNC, minutes=RENDER_SWEEP_MINUTES)
