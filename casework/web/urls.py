from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("customers/search/", views.customer_search, name="customer_search"),
    path("customers/<str:csid>/", views.customer_detail, name="customer"),
    path("customers/<str:csid>/notes/", views.note_add, name="note_add"),
    path("audit/", views.audit, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("morning/", views.morning, name="morning"),
    path("morning/reassign/", views.morning_reassign, name="morning_reassign"),
    path("morning/export.csv", views.morning_export, name="morning_export"),
]
