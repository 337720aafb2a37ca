"""URLs of the annual report (脱贫答卷)."""

from django.urls import path

from .annual import views

urlpatterns = [
    path("", views.annual_index, name="annual_index"),
    path("archives/<int:pk>/", views.annual_archive, name="annual_archive"),
    path("<str:code>/<int:year>/", views.annual_report, name="annual_report"),
    path("<str:code>/<int:year>/trace/<str:figure>/", views.annual_trace, name="annual_trace"),
    path("<str:code>/<int:year>/archive/", views.annual_freeze, name="annual_freeze"),
]
