"""Models of the web app (none: it only renders)."""
