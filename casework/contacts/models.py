"""Models of the contacts app."""

from django.db import models  # noqa: F401
