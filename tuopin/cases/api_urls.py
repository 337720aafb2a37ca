"""API routes of the cases app (mounted under /api/)."""

urlpatterns: list = []
