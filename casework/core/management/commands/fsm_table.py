"""Print (or, with --write, refresh in docs/architecture.md) the transition tables generated from the models."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from casework.core.fsm import transition_tables_markdown

START, END = "<!-- fsm-tables:start -->\n", "<!-- fsm-tables:end -->"


class Command(BaseCommand):
    help = "Transition tables of every protected status (issue 10); --write refreshes docs/architecture.md."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Replace the fsm-tables section of the doc.")

    def handle(self, *args, write: bool = False, **options):
        tables = transition_tables_markdown()
        if not write:
            self.stdout.write(tables)
            return
        doc = Path(settings.BASE_DIR) / "docs" / "architecture.md"
        text = doc.read_text()
        pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
        if not pattern.search(text):
            raise SystemExit("docs/architecture.md has no fsm-tables markers")
        doc.write_text(pattern.sub(lambda _m: START + tables + END, text))
        self.stdout.write(f"Wrote the transition tables to {doc}")
