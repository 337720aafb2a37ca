"""Pages of the assistance app (mounted at /assistance/)."""

urlpatterns: list = []
