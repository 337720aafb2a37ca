from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "tuopin.geo"
    label = "geo"
