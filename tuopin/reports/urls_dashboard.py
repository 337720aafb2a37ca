"""URLs of the region dashboard and home pages."""

from django.urls import path

from . import dashboard, home

urlpatterns = [
    path("home/", home.home, name="home"),
    path("dashboard/", dashboard.dashboard_home, name="dashboard_home"),
    path("dashboard/<str:code>/", dashboard.dashboard, name="dashboard"),
]
