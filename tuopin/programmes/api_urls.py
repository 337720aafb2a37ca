"""API routes of the programmes app (mounted under /api/)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api import VIEWSETS, FiguresView, SupportView

router = SimpleRouter()
for slug, viewset in VIEWSETS.items():
    router.register(f"programmes/{slug}", viewset, basename=f"programme-{slug}")

urlpatterns = [
    path("programmes/support/<int:household_id>/<int:year>/", SupportView.as_view(), name="programme-support"),
    path("programmes/figures/", FiguresView.as_view(), name="programme-figures"),
    path("", include(router.urls)),
]
