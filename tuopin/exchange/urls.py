"""Pages of the exchange app (mounted at /exchange/)."""

from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("", views.index, name="index"),
    path("template.xlsx", views.template, name="template"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/report.xlsx", views.batch_report, name="batch_report"),
    path("export/members.<str:fmt>", views.export_members, name="export_members"),
    path("crosscheck/", views.crosscheck_index, name="crosscheck"),
    path("crosscheck/<int:pk>/", views.run_detail, name="run"),
    path("hits/<int:pk>/dispose", views.dispose, name="dispose"),
]
