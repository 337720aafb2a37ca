"""Pages of the supervision app (mounted at /supervision/)."""

from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
]
