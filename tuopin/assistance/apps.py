from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "tuopin.assistance"
    label = "assistance"
