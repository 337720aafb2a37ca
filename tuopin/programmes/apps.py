from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "tuopin.programmes"
    label = "programmes"
