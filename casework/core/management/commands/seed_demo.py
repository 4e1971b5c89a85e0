"""Load the demo organisation, officers, customers and cases (``casework.<app>.demo.seed``). Idempotent.

Refused when DEBUG is off unless ``--force`` is given: demo logins have published passwords.
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.core.context import job_context

from .load_reference import load_all

DEMO_APPS = ("web", "intrays", "ownership", "contacts", "ps")


class Command(BaseCommand):
    help = "Load demo data (officers in every role, ~200 customers, ~100 cases). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even though DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to load demo data with DEBUG off (demo passwords are public). Use --force.")
        load_all()
        with job_context("seed_demo"):
            for app in DEMO_APPS:
                try:
                    module = importlib.import_module(f"casework.{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"casework.{app}.demo":
                        raise
                    continue
                summary = module.seed()
                self.stdout.write(f"{app}: {summary}")
