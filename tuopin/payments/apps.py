from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tuopin.payments"
    label = "payments"
