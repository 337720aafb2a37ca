from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "tuopin.registry"
    label = "registry"
