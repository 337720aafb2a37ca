"""API routes of the exchange app (mounted under /api/)."""

urlpatterns: list = []
