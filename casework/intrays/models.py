"""Models of the intrays app."""

from django.db import models  # noqa: F401
