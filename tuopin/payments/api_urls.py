"""API routes of the payments app (mounted under /api/)."""

urlpatterns: list = []
