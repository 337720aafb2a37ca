"""API routes of the programmes app (mounted under /api/)."""

urlpatterns: list = []
