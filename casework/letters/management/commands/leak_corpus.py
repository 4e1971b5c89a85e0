"""``manage.py leak_corpus``: run the disclosure-control red-team corpus and print one line of figures.

Exit status 1 when any attempt leaked or any legitimate letter was refused (``make security`` fails then).
Nothing is written: the corpus builds its customers inside a transaction that is rolled back.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from casework.letters import leak_corpus


class Command(BaseCommand):
    help = "Run the letters disclosure-control red-team corpus (issue 13) and print its figures."

    def add_arguments(self, parser):
        parser.add_argument("--verbose-cases", action="store_true", help="Also list which cases leaked or were refused.")

    def handle(self, *args, **options):
        result = leak_corpus.run()
        self.stdout.write(result.line())
        if options["verbose_cases"] or not result.ok:
            for label in result.leaks:
                self.stdout.write(f"  leaked: {label}")
            for label in result.refused:
                self.stdout.write(f"  refused (false positive): {label}")
        if not result.ok:
            raise CommandError("disclosure control: the leak corpus failed")
