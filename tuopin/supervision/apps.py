from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "tuopin.supervision"
    label = "supervision"
