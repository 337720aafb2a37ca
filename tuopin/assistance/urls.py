"""Pages of the assistance app (mounted at /assistance/)."""

from django.urls import path

from . import views

app_name = "assistance"
urlpatterns = [path("", views.overview, name="overview")]
