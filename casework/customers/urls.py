"""Officer UI routes of this app, mounted at the site root by config/urls.py."""

app_name = "customers"
urlpatterns: list = []
