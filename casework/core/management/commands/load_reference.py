"""Load the reference data every app ships (``casework.<app>.reference.load``). Idempotent."""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand

from casework.core.context import job_context

REFERENCE_APPS = ("core", "org", "intrays", "ownership", "contacts", "ps", "letters")


def load_all() -> dict[str, int]:
    results = {}
    with job_context("load_reference"):
        for app in REFERENCE_APPS:
            try:
                module = importlib.import_module(f"casework.{app}.reference")
            except ModuleNotFoundError as exc:
                if exc.name != f"casework.{app}.reference":
                    raise
                continue
            results[app] = module.load(actor=None)
    return results


class Command(BaseCommand):
    help = "Load reference data (business areas, issue types, intray types, calendars...). Safe to run again."

    def handle(self, *args, **options):
        for app, changed in load_all().items():
            self.stdout.write(f"{app}: {changed} reference rows created or changed")
