#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Schema changes run as the database owner role; everything else as the application role (docs/security.md).
    if sys.argv[1:2] == ["migrate"] and os.environ.get("DATABASE_OWNER_URL"):
        os.environ["DATABASE_URL"] = os.environ["DATABASE_OWNER_URL"]
        os.environ["CASEWORK_DB_AS_OWNER"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
