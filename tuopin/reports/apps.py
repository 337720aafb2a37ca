from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tuopin.reports"
    label = "reports"
