"""Pages of the reports app (mounted at /reports/). The dashboard and the annual report keep their
own URL modules so that each can grow without touching the other."""

from django.urls import include, path

app_name = "reports"
urlpatterns = [
    path("", include("tuopin.reports.urls_dashboard")),
    path("annual/", include("tuopin.reports.urls_annual")),
]
