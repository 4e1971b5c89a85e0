"""``manage.py import_case_data FILE [--bulk]``: upsert customers, cases (with children), care, income, debts and payment
arrangements from the assessment and payments system (CSV or JSON Lines; docs/import.md). Streams the file, shows a
progress bar, prints each rejected row with its line number and reason, and exits 1 when any row was rejected."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from casework.imports import readers, services


class Command(BaseCommand):
    help = "Import case data from the assessment and payments system (CSV or JSON Lines). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["csv", "jsonl"], help="Default: from the file name.")
        parser.add_argument("--batch", type=int, default=services.BATCH, help="Rows per transaction.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, CI).")
        parser.add_argument("--bulk", action="store_true",
                            help="New customers and cases written set-based by COPY, --chunk rows per transaction "
                                 "(PostgreSQL; elsewhere the row path, saying so). Same outcome (docs/import.md).")
        parser.add_argument("--chunk", type=int, default=services.CHUNK, help="Rows per transaction with --bulk.")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            fmt = options["format"] or readers.detect_format(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            stream = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise CommandError(f"Cannot open {path}: {exc.strerror}") from exc
        with stream, tqdm(unit=" rows", disable=options["no_progress"], desc="import", file=self.stderr) as bar:
            callbacks = dict(on_row=lambda: bar.update(1),
                             on_reject=lambda r: bar.write(f"REJECTED {r}", file=self.stdout))
            if options["bulk"]:
                result = services.import_bulk(readers.rows(stream, fmt), source_name=str(path),
                                              chunk=options["chunk"], **callbacks)
                if result.path != "bulk":
                    self.stdout.write(services.BULK_FALLBACK)
            else:
                result = services.import_rows(readers.rows(stream, fmt), source_name=str(path),
                                              batch=options["batch"], **callbacks)
        counts = result.as_dict()
        self.stdout.write(", ".join(f"{k} {v}" for k, v in counts.items()))
        if result.rejected:
            raise CommandError(f"{result.rejected} rows rejected (the other rows were imported).")
