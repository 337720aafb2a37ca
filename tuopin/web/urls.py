"""URLs of the web pages. Names are not namespaced: ``LOGIN_URL = "login"`` names the login page."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("households/", views.household_list, name="household_list"),
    path("households/export.csv", views.export_csv, name="household_export_csv"),
    path("households/export.xlsx", views.export_xlsx, name="household_export_xlsx"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/check-id/", views.check_id, name="check_id"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/new/", views.member_add, name="member_add"),
    path("households/<int:pk>/year/", views.household_year, name="household_year"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("members/<int:pk>/reveal/", views.member_reveal, name="member_reveal"),
    path("assessment/", views.run_list, name="run_list"),
    path("assessment/runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("assessment/runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("assessment/runs/<int:pk>/replay/", views.run_replay, name="run_replay"),
    path("policy/standards/", views.standard_list, name="standard_list"),
    path("policy/standards/new/", views.standard_add, name="standard_add"),
    path("policy/standards/<int:pk>/", views.standard_detail, name="standard_detail"),
    path("policy/rulesets/", views.ruleset_list, name="ruleset_list"),
    path("policy/rulesets/diff/", views.ruleset_diff, name="ruleset_diff"),
    path("policy/rulesets/compare/", views.ruleset_compare, name="ruleset_compare"),
    path("regions/", views.region_home, name="region_home"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
]
