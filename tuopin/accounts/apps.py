from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tuopin.accounts"
    label = "accounts"
