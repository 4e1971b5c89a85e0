"""``manage.py export_case_data FILE``: this system's case data in the import format (docs/import.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from casework.imports import exporter, readers


class Command(BaseCommand):
    help = "Export customers, cases, care, income, debts and arrangements in the import format (CSV or JSON Lines)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["csv", "jsonl"])

    def handle(self, *args, **options):
        fmt = options["format"] or readers.detect_format(options["file"])
        with open(options["file"], "w", encoding="utf-8", newline="") as stream:
            n = exporter.write(stream, fmt, exporter.export_rows())
        self.stdout.write(f"{n} rows written to {options['file']}")
