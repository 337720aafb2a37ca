"""URLs of the annual report (脱贫答卷)."""

urlpatterns: list = []
