"""Models of the letters app."""

from django.db import models  # noqa: F401
