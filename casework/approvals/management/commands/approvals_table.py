from django.core.management.base import BaseCommand

from casework.approvals import docs_table


class Command(BaseCommand):
    help = "Print (or --write into docs/approvals.md) the table of request kinds, from the registry."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true")

    def handle(self, *args, write=False, **options):
        if write:
            docs_table.write()
            self.stdout.write(f"Wrote the kinds table to {docs_table.DOC}")
        else:
            self.stdout.write(docs_table.render())
