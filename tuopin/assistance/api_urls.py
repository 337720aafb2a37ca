"""API routes of the assistance app (mounted under /api/)."""

urlpatterns: list = []
