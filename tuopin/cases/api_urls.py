"""API routes of the cases app (mounted under /api/)."""

from rest_framework.routers import DefaultRouter

from .api import CaseViewSet, NoticeViewSet

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("notices", NoticeViewSet, basename="notice")
urlpatterns = router.urls
