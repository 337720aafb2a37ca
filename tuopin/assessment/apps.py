from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "tuopin.assessment"
    label = "assessment"
