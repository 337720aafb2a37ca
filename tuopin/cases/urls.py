"""Pages of the cases app (mounted at /cases/)."""

urlpatterns: list = []
