"""Pages of the programmes app (mounted at /programmes/)."""

urlpatterns: list = []
