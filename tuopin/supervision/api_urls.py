"""API routes of the supervision app (mounted under /api/)."""

urlpatterns: list = []
