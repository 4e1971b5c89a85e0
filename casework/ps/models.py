"""Models of the ps app."""

from django.db import models  # noqa: F401
