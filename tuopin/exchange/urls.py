"""Pages of the exchange app (mounted at /exchange/)."""

urlpatterns: list = []
