from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tuopin.exchange"
    label = "exchange"
