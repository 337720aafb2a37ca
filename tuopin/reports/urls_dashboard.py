"""URLs of the region dashboard and home pages."""

urlpatterns: list = []
