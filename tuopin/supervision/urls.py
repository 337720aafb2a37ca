"""Pages of the supervision app (mounted at /supervision/)."""

urlpatterns: list = []
