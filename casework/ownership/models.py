"""Models of the ownership app."""

from django.db import models  # noqa: F401
