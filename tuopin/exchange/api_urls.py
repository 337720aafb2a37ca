"""API routes of the exchange app (mounted under /api/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("exchange/batches", api.ImportBatchViewSet, basename="import-batch")
router.register("exchange/crosscheck/runs", api.CrossCheckRunViewSet, basename="crosscheck-run")
router.register("exchange/crosscheck/hits", api.CrossCheckHitViewSet, basename="crosscheck-hit")

urlpatterns = [
    path("exchange/exports/members/", api.MemberExportView.as_view(), name="exchange-member-export"),
    *router.urls,
]
