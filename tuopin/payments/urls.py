"""Pages of the payments app (mounted at /payments/)."""

urlpatterns: list = []
